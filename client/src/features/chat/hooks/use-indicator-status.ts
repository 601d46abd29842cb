import { useMemo } from 'react';
import { useEngine } from '../../../shared/sync/engine-context';
import type { ConnectionStatus } from '../../../shared/sync/timeline';
import { useLinkStatus } from '../../../shared/sync/use-link-status';
import type { IndicatorStatus } from '../components/connection-indicator';

export interface IndicatorState {
  /** `status`, with the server being unreachable told apart from the browser being offline. */
  status: IndicatorStatus;
  /** Connecting again after failed attempts (a retry is under way). */
  retrying: boolean;
  /** Reconnect at once instead of waiting the backoff out (C3). */
  retryNow: () => void;
}

/**
 * What the connection indicator shows. The machine tags both of its
 * disconnected states `offline`; `link.waiting` (backoff after a failed
 * connection while the browser is online) is also tagged `unreachable`,
 * and that is not "Offline" to the user: the network works, the server does
 * not answer, and "Retry now" may help.
 */
export function useIndicatorStatus(status: ConnectionStatus): IndicatorState {
  const { connection } = useEngine();
  const { unreachable, connecting, attempt } = useLinkStatus();
  const retrying = connecting && attempt > 0;
  const retryNow = connection.retryNow;
  const shown = useMemo<IndicatorStatus>(() => (unreachable ? { ...status, phase: 'unreachable' } : status), [status, unreachable]);
  return { status: shown, retrying, retryNow };
}
