import { memo, useEffect, useState } from 'react';
import type { ConnectionPhase, ConnectionStatus } from '../../../shared/sync/timeline';
import { RetryIcon } from '../../../shared/ui/icons';

/**
 * The connection as the indicator tells it. `offline` is the browser having
 * no network; `unreachable` is a network that works and a server that does
 * not answer (waiting on backoff between attempts): different causes, and
 * only the second can be retried from here.
 */
export type IndicatorPhase = ConnectionPhase | 'unreachable';

export interface IndicatorStatus extends Omit<ConnectionStatus, 'phase'> {
  phase: IndicatorPhase;
}

export interface ConnectionIndicatorProps {
  status: IndicatorStatus;
  /**
   * Reconnects at once instead of waiting the backoff out ("Retry now").
   * Offered while the server is unreachable; without it there is no button.
   */
  onRetryNow?: () => void;
  /**
   * A retry is under way (connecting after failed attempts): the button stays
   * where it was, so keyboard focus is not lost, but does nothing meanwhile.
   */
  retrying?: boolean;
}

const PHASE: Record<IndicatorPhase, { label: string; dot: string }> = {
  online: { label: 'Online', dot: 'bg-emerald-500' },
  connecting: { label: 'Connecting…', dot: 'bg-amber-500 motion-safe:animate-pulse' },
  offline: { label: 'Offline', dot: 'bg-rose-500' },
  unreachable: { label: 'Can’t reach the server', dot: 'bg-orange-500' },
};

/** "1 message waiting" / "3 messages waiting". */
export function waitingText(waiting: number): string {
  return `${waiting} ${waiting === 1 ? 'message' : 'messages'} waiting`;
}

/**
 * Counts down from `retryInMs`, restarting whenever a new value arrives.
 * Null when no reconnect is scheduled.
 */
function useRetrySeconds(retryInMs: number | null): number | null {
  const [seconds, setSeconds] = useState<number | null>(null);

  useEffect(() => {
    if (retryInMs === null) return;
    const deadline = Date.now() + retryInMs;
    const tick = () => setSeconds(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    tick();
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, [retryInMs]);

  return retryInMs === null ? null : seconds;
}

/**
 * The connection at a glance: coloured dot + "Online" / "Connecting…" /
 * "Offline" / "Can't reach the server", how many own messages the server has
 * not confirmed yet, and while the server is unreachable the next automatic
 * attempt and a "Retry now" button.
 */
export const ConnectionIndicator = memo(function ConnectionIndicator({ status, onRetryNow, retrying = false }: ConnectionIndicatorProps) {
  const { label, dot } = PHASE[status.phase];
  const retrySeconds = useRetrySeconds(status.phase === 'unreachable' ? status.retryInMs : null);
  const showRetry = onRetryNow !== undefined && (status.phase === 'unreachable' || (retrying && status.phase === 'connecting'));
  const busy = status.phase !== 'unreachable';

  return (
    <div className="flex min-w-0 items-center gap-1.5">
      <div
        role="status"
        data-phase={status.phase}
        className="inline-flex min-w-0 items-center gap-2 rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-200"
      >
        <span aria-hidden="true" className={`size-2 shrink-0 rounded-full ${dot}`} />
        <span className="truncate">
          {/* On a phone's narrow bar "Online" is the dot alone (still read out): words are for what is wrong. */}
          <span className={status.phase === 'online' ? 'max-sm:sr-only' : undefined}>{label}</span>
          {status.waiting > 0 && (
            // A phone's room bar has room for the cause only (the clocks on the
            // messages show what waits); the count is still read out.
            <span className="text-slate-600 max-sm:sr-only dark:text-slate-400">
              {' '}
              · {waitingText(status.waiting)}
            </span>
          )}
          {retrySeconds !== null && retrySeconds > 0 && (
            // Ticks every second: hidden from screen readers so the live region does not chatter.
            <span aria-hidden="true" className="text-slate-600 tabular-nums max-sm:hidden dark:text-slate-400">
              {' '}
              · retrying in {retrySeconds} s
            </span>
          )}
        </span>
      </div>
      {showRetry && (
        <button
          type="button"
          // aria-disabled, not disabled: a disabled button would drop keyboard focus mid-retry.
          aria-label="Retry now"
          aria-disabled={busy || undefined}
          onClick={() => {
            if (!busy) onRetryNow();
          }}
          className="inline-flex min-h-8 shrink-0 items-center gap-1 rounded-full px-2.5 text-xs font-semibold whitespace-nowrap text-indigo-700 ring-1 ring-indigo-600/25 transition-colors ring-inset hover:bg-indigo-50 aria-disabled:cursor-wait aria-disabled:hover:bg-transparent dark:text-indigo-300 dark:ring-indigo-300/30 dark:hover:bg-white/5"
        >
          <RetryIcon className={`size-3.5 ${busy ? 'motion-safe:animate-spin' : ''}`} />
          {/* "Retry" on a phone, for room; the name stays "Retry now" (it starts with what is shown). */}
          <span>
            Retry<span className="max-sm:hidden"> now</span>
          </span>
        </button>
      )}
    </div>
  );
}, sameIndicatorProps);

/**
 * The status arrives as a new object on every render of the page: compared
 * by its fields, so the indicator renders only when what it shows changes.
 */
function sameIndicatorProps(a: ConnectionIndicatorProps, b: ConnectionIndicatorProps): boolean {
  return (
    a.status.phase === b.status.phase &&
    a.status.waiting === b.status.waiting &&
    a.status.retryInMs === b.status.retryInMs &&
    a.onRetryNow === b.onRetryNow &&
    a.retrying === b.retrying
  );
}
