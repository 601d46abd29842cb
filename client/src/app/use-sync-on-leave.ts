import { useEffect, useRef } from 'react';
import { OUTBOX_SYNC_TAG } from '../shared/sync/outbox-names';
import { useUnsentCount } from '../shared/sync/use-unsent-work';

/** Background Sync's registration API (not in TypeScript's lib yet). */
type WithSync = ServiceWorkerRegistration & { sync: { register(tag: string): Promise<void> } };

/**
 * W3: while the outbox holds unsent messages or ops, a one-off sync is
 * registered, so the service worker sends them once the browser is online
 * (sw/background-sync.ts) whether or not the page is still there. It is
 * registered as soon as there is unsent work, because a phone may kill a
 * backgrounded page without any event, and again when the page is hidden
 * or goes away (the browser fires a registration at once when it believes
 * it is online, and one whose flush failed is retried only later). While a
 * page is open the worker finds its flusher's lock taken and leaves the work
 * to it. Where the browser has no Background Sync nothing changes: the next
 * page sends them.
 */
export function useSyncOnLeave(): void {
  const unsent = useUnsentCount() > 0;
  const unsentRef = useRef(unsent);
  const registrationRef = useRef<WithSync | undefined>(undefined);
  const register = () => {
    if (unsentRef.current) registrationRef.current?.sync.register(OUTBOX_SYNC_TAG).catch(() => undefined);
  };
  useEffect(() => {
    unsentRef.current = unsent;
    register();
  }, [unsent]);

  useEffect(() => {
    if (!('serviceWorker' in navigator) || typeof ServiceWorkerRegistration === 'undefined' || !('sync' in ServiceWorkerRegistration.prototype)) return;
    let stopped = false;
    // Looked up beforehand: a page being closed gets no later turn to await it.
    void navigator.serviceWorker.ready.then((ready) => {
      if (stopped) return;
      registrationRef.current = ready as WithSync;
      register();
    });
    const hidden = () => {
      if (document.visibilityState === 'hidden') register();
    };
    document.addEventListener('visibilitychange', hidden);
    window.addEventListener('pagehide', register);
    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', hidden);
      window.removeEventListener('pagehide', register);
    };
  }, []);
}
