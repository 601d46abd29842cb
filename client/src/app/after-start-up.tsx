import { useEffect, useState, type ReactNode } from 'react';
import { useEngine } from '../shared/sync/engine-context';
import { linkSettled } from '../shared/sync/link-status';

/**
 * Longest wait for the connection to settle: a server that never answers
 * keeps the machine connecting and retrying, and what waits for start-up
 * (the service worker's install, so the app opens offline next time) must
 * still come in the meantime.
 */
const SETTLE_TIMEOUT_MS = 10_000;

/** requestIdleCallback where there is one (not in every Safari), else the next task. */
function whenIdle(run: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(run, { timeout: 2_000 });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(run);
  return () => clearTimeout(timer);
}

/**
 * Renders its children once start-up is over: the connection machine has
 * settled (live, or offline / waiting to retry; SETTLE_TIMEOUT_MS at most)
 * and the browser has then had an idle moment. Until then the first screen,
 * the socket's hello and the catch-up have the main thread, IndexedDB and
 * the network to themselves. For what the first screen does not need.
 * (A lazy chunk inside would need an error boundary too: one that fails to
 * load, the network gone since the page opened, unmounts the whole app.)
 */
export function AfterStartUp({ children }: { children: ReactNode }) {
  const { connection } = useEngine();
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let cancelIdle: (() => void) | undefined;
    const settled = () => linkSettled(connection.getSnapshot());
    const unsubscribe = connection.subscribe(() => {
      if (settled()) start();
    });
    const timer = setTimeout(() => start(), SETTLE_TIMEOUT_MS);
    function start() {
      unsubscribe();
      clearTimeout(timer);
      cancelIdle ??= whenIdle(() => setReady(true));
    }
    if (settled()) start();
    return () => {
      unsubscribe();
      clearTimeout(timer);
      cancelIdle?.();
    };
  }, [connection]);
  return ready ? children : null;
}
