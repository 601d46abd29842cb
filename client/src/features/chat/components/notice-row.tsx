import type { TimelineNotice } from '../../../shared/sync/timeline';
import { formatFullDateTime } from '../../../shared/ui/format-time';
import { ClockIcon, RetryIcon, TrashIcon, WarningIcon } from '../../../shared/ui/icons';

export interface NoticeRowProps {
  notice: TimelineNotice;
  /** C6: a refused change of this device, sent again under its client_id. */
  onRetry: (clientId: string) => void;
  /** C6: a refused change of this device, dropped. */
  onDelete: (clientId: string) => void;
}

const ACTION =
  'inline-flex min-h-8 items-center gap-1 rounded-full px-2.5 text-xs font-semibold transition-colors hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-offset-2';

/**
 * A membership or room change in the timeline (M4): "Ana joined", "Ben
 * left", "Ana renamed the group to “Trip 2”". Centred and quiet, like the
 * system lines of WhatsApp or Signal, so the conversation stays the thing
 * to read. One of this device's changes that the server has not confirmed
 * yet carries a clock, as an unsent message does; one it refused says why,
 * with Retry and Delete.
 */
export function NoticeRow({ notice, onRetry, onDelete }: NoticeRowProps) {
  const failure = notice.failure ?? null;
  return (
    <div
      data-notice=""
      data-key={notice.key}
      data-pending={notice.pending || undefined}
      data-failed={failure ? true : undefined}
      className="flex flex-col items-center gap-1 px-4 pb-3"
    >
      <p
        className={`inline-flex max-w-[90%] items-center gap-1.5 rounded-full px-3 py-1 text-center text-xs ${
          failure ? 'bg-red-50 text-red-800 dark:bg-red-500/15 dark:text-red-200' : 'bg-surface-muted text-ink-muted'
        }`}
        onPointerEnter={(event) => {
          event.currentTarget.title = formatFullDateTime(notice.createdAt);
        }}
      >
        {notice.pending && (
          <>
            <ClockIcon className="size-3.5 shrink-0" />
            <span className="sr-only">Not confirmed yet: </span>
          </>
        )}
        {failure && (
          <>
            <WarningIcon className="size-3.5 shrink-0" />
            <span className="sr-only">Not done: </span>
          </>
        )}
        <span className="wrap-anywhere">{notice.text}</span>
      </p>
      {failure && (
        <div className="flex flex-wrap items-center justify-center gap-1 text-xs">
          {failure.reason && <span className="mr-1 text-red-700 dark:text-red-300">{failure.reason}</span>}
          <button type="button" onClick={() => onRetry(failure.clientId)} className={`${ACTION} text-red-700 dark:text-red-200`}>
            <RetryIcon className="size-3.5" />
            Retry
          </button>
          <button type="button" onClick={() => onDelete(failure.clientId)} className={`${ACTION} text-ink-muted`}>
            <TrashIcon className="size-3.5" />
            Delete
          </button>
        </div>
      )}
    </div>
  );
}
