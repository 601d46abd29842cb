import type { DeliveryStatus, TimelineItem } from '../../../shared/sync/timeline';
import { ClockIcon, WarningIcon } from '../../../shared/ui/icons';
import { CheckIcon, DoubleCheckIcon } from './icons';

/** The accessible label of each status mark (C6). */
export const STATUS_LABEL: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};

/** L4: the labels of the two ticks. */
export const RECEIPT_LABEL: Record<NonNullable<TimelineItem['receipt']>, string> = {
  delivered: 'Delivered',
  read: 'Read',
};

const ICON_CLASS = 'size-3.5 shrink-0';

/**
 * C6: pending and sending = clock (sending breathes gently), sent = tick,
 * failed = warning; L4: delivered = two ticks, read = two ticks in colour.
 * `role="img"` + `aria-label` names the mark; the SVG is decorative.
 */
export function StatusMark({ status, receipt = null }: { status: DeliveryStatus; receipt?: TimelineItem['receipt'] }) {
  const ticks = status === 'sent' ? receipt : null;
  const label = ticks ? RECEIPT_LABEL[ticks] : STATUS_LABEL[status];
  return (
    // Keyed by status: a new mark mounts when the status changes, so the tick
    // pops in (from its @starting-style) when the ack arrives.
    <span
      key={ticks ?? status}
      role="img"
      aria-label={label}
      title={label}
      data-status-mark={status}
      className="inline-flex motion-safe:transition motion-safe:duration-300 motion-safe:ease-out motion-safe:starting:scale-50 motion-safe:starting:opacity-0"
    >
      {ticks ? (
        <DoubleCheckIcon className={`${ICON_CLASS} ${ticks === 'read' ? 'text-sky-300' : ''}`} />
      ) : status === 'sent' ? (
        <CheckIcon className={ICON_CLASS} />
      ) : status === 'failed' ? (
        <WarningIcon className={`${ICON_CLASS} text-rose-200`} />
      ) : (
        <ClockIcon className={`${ICON_CLASS} ${status === 'sending' ? 'motion-safe:animate-pulse' : ''}`} />
      )}
    </span>
  );
}
