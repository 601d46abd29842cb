import { useEffect, useState } from 'react';
import type { ConnectionPhase, ConnectionStatus } from '../../../shared/sync/timeline';

export interface ConnectionIndicatorProps {
  status: ConnectionStatus;
}

const PHASE: Record<ConnectionPhase, { label: string; dot: string }> = {
  online: { label: 'Online', dot: 'bg-emerald-500' },
  connecting: { label: 'Connecting…', dot: 'bg-amber-500 motion-safe:animate-pulse' },
  offline: { label: 'Offline', dot: 'bg-rose-500' },
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
 * "Offline", how many own messages the server has not confirmed yet, and
 * when offline the next reconnect attempt.
 */
export function ConnectionIndicator({ status }: ConnectionIndicatorProps) {
  const { label, dot } = PHASE[status.phase];
  const retrySeconds = useRetrySeconds(status.phase === 'offline' ? status.retryInMs : null);

  return (
    <div
      role="status"
      data-phase={status.phase}
      className="inline-flex min-w-0 items-center gap-2 rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-200"
    >
      <span aria-hidden="true" className={`size-2 shrink-0 rounded-full ${dot}`} />
      <span className="truncate">
        {label}
        {status.waiting > 0 && (
          <span className="text-slate-500 dark:text-slate-400"> · {waitingText(status.waiting)}</span>
        )}
        {retrySeconds !== null && retrySeconds > 0 && (
          // Ticks every second: hidden from screen readers so the live region does not chatter.
          <span aria-hidden="true" className="text-slate-500 tabular-nums max-sm:hidden dark:text-slate-400">
            {' '}
            · retrying in {retrySeconds} s
          </span>
        )}
      </span>
    </div>
  );
}
