import { useEffect, useState } from 'react';
import type { ConnectionPhase, ConnectionStatus } from './timeline';
import { useLinkStatus } from './use-link-status';
import { useUnsentCount } from './use-unsent-work';

/** How often a visible retry countdown is refreshed. */
const COUNTDOWN_TICK_MS = 1_000;

/** What the connection indicator shows: phase, unsent count, next retry. */
export function useConnectionStatus(): ConnectionStatus {
  const link = useLinkStatus();
  const phase: ConnectionPhase = link.live ? 'online' : link.offline ? 'offline' : 'connecting';
  const { retryAt } = link;
  // The one outbox count the app shares (use-unsent-work.ts).
  const waiting = useUnsentCount();

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (retryAt === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), COUNTDOWN_TICK_MS);
    return () => clearInterval(timer);
  }, [retryAt]);

  return { phase, waiting, retryInMs: retryAt === null ? null : Math.max(0, retryAt - now) };
}
