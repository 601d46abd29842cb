import { useSyncExternalStore } from 'react';
import { useEngine } from './engine-context';
import type { LinkStatus } from './link-status';

/** The connection machine's status as the UI reads it (tags, attempt, next retry), wherever the machine runs. */
export function useLinkStatus(): LinkStatus {
  const { connection } = useEngine();
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot);
}
