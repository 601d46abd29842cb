import type { DeliveryStatus } from '../../../shared/sync/timeline';
import { ClockIcon, WarningIcon } from '../../../shared/ui/icons';
import { CheckIcon } from './icons';

/** The accessible label of each status mark (C6). */
export const STATUS_LABEL: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};

const ICON_CLASS = 'size-3.5 shrink-0';

/**
 * C6: pending and sending = clock (sending breathes gently), sent = tick,
 * failed = warning. `role="img"` + `aria-label` names the mark; the SVG is
 * decorative.
 */
export function StatusMark({ status }: { status: DeliveryStatus }) {
  const label = STATUS_LABEL[status];
  return (
    // Keyed by status: a new mark mounts when the status changes, so the tick
    // pops in (from its @starting-style) when the ack arrives.
    <span
      key={status}
      role="img"
      aria-label={label}
      title={label}
      data-status-mark={status}
      className="inline-flex motion-safe:transition motion-safe:duration-300 motion-safe:ease-out motion-safe:starting:scale-50 motion-safe:starting:opacity-0"
    >
      {status === 'sent' ? (
        <CheckIcon className={ICON_CLASS} />
      ) : status === 'failed' ? (
        <WarningIcon className={`${ICON_CLASS} text-rose-200`} />
      ) : (
        <ClockIcon className={`${ICON_CLASS} ${status === 'sending' ? 'motion-safe:animate-pulse' : ''}`} />
      )}
    </span>
  );
}
