import { useEffect, useRef } from 'react';
import { OUTBOX_SYNC_TAG } from '../shared/sync/outbox-names';
import { useUnsentCount } from '../shared/sync/use-unsent-work';

/** Background Sync's registration API (not in TypeScript's lib yet). */
type WithSync = ServiceWorkerRegistration & { sync: { register(tag: string): Promise<void> } };

/**
 * W3: when the page is hidden or goes away with unsent messages or ops, it
 * asks the service worker to send them once the browser is online
 * (sw/background-sync.ts), whether or not the page is still there. Where the
 * browser has no Background Sync nothing changes: the next page sends them.
 * The registration is looked up beforehand: a page being closed gets no
 * later turn to await it.
 */
export function useSyncOnLeave(): void {
  const unsent = useUnsentCount() > 0;
  const unsentRef = useRef(unsent);
  useEffect(() => {
    unsentRef.current = unsent;
  }, [unsent]);

  useEffect(() => {
    if (!('serviceWorker' in navigator) || typeof ServiceWorkerRegistration === 'undefined' || !('sync' in ServiceWorkerRegistration.prototype)) return;
    let registration: WithSync | undefined;
    let stopped = false;
    void navigator.serviceWorker.ready.then((ready) => {
      if (!stopped) registration = ready as WithSync;
    });
    const leaving = () => {
      if (!unsentRef.current || !registration) return;
      registration.sync.register(OUTBOX_SYNC_TAG).catch(() => undefined);
    };
    const hidden = () => {
      if (document.visibilityState === 'hidden') leaving();
    };
    document.addEventListener('visibilitychange', hidden);
    window.addEventListener('pagehide', leaving);
    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', hidden);
      window.removeEventListener('pagehide', leaving);
    };
  }, []);
}
