import { useSelector } from '@xstate/react';
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import { outboxTable } from '../db/outbox.table';
import { useEngine } from './engine-context';
import type { ConnectionPhase, ConnectionStatus } from './timeline';

/** How often a visible retry countdown is refreshed. */
const COUNTDOWN_TICK_MS = 1_000;

/** What the connection indicator shows: phase, unsent count, next retry. */
export function useConnectionStatus(): ConnectionStatus {
  const { connection, db } = useEngine();
  const phase = useSelector(connection, (snapshot): ConnectionPhase =>
    snapshot.hasTag('live') ? 'online' : snapshot.hasTag('offline') ? 'offline' : 'connecting',
  );
  const retryAt = useSelector(connection, (snapshot) => snapshot.context.retryAt);
  const waiting = useLiveQuery(() => outboxTable.countUnsent(db), [db]) ?? 0;

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (retryAt === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), COUNTDOWN_TICK_MS);
    return () => clearInterval(timer);
  }, [retryAt]);

  return { phase, waiting, retryInMs: retryAt === null ? null : Math.max(0, retryAt - now) };
}
