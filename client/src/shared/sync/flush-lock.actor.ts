import { fromCallback } from 'xstate';
import type { ConnectionEvent } from './connection.machine';

/**
 * C7: one tab sends the outbox at a time. The actor holds a Web Lock for as
 * long as it runs; whichever tab gets it reports LOCK.ACQUIRED. Where the
 * browser has no Web Locks there is nothing to coordinate with: lead.
 */
export const flushLockActor = fromCallback<{ type: 'noop' }, { name: string }, ConnectionEvent>(({ sendBack, input }) => {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) {
    sendBack({ type: 'LOCK.ACQUIRED' });
    return () => undefined;
  }
  const controller = new AbortController();
  let stopped = false;
  let release: () => void = () => undefined;
  locks
    .request(input.name, { signal: controller.signal }, () => {
      // The lock can be granted after this actor was stopped (the abort
      // came too late): hand it straight back, or no tab could ever flush.
      if (stopped) return Promise.resolve();
      sendBack({ type: 'LOCK.ACQUIRED' });
      return new Promise<void>((resolve) => (release = resolve));
    })
    .catch(() => undefined); // aborted on stop
  return () => {
    stopped = true;
    controller.abort();
    release();
  };
});
