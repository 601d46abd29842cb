/// <reference types="vite-plugin-pwa/vanillajs" />
import { useCallback, useEffect, useRef, useState } from 'react';
import { registerSW } from 'virtual:pwa-register';
import { useUnsentWork } from '../shared/sync/use-unsent-work';
import { useSyncOnLeave } from './use-sync-on-leave';

/** How often a long-lived tab asks the server for a new service worker (browsers only check on navigation). */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

export interface AppUpdate {
  /** A new version is installed and waiting, or already controls this page. */
  updateReady: boolean;
  /** W2: the outbox or the composer holds unsent text, so reloading must wait. */
  blocked: boolean;
  /** Switch to the new version and reload. Does nothing while `blocked`. */
  applyUpdate: () => void;
  /** Hide the update notice until the next new version (the update still applies on the next launch). */
  postpone: () => void;
  /** The worker finished its first install: the app now opens without a network (W1). */
  offlineReady: boolean;
  dismissOfflineReady: () => void;
}

/**
 * W2: the service worker's prompt flow, guarded by unsent work.
 *
 * A new worker installs and waits. `applyUpdate` asks it to take over
 * (SKIP_WAITING); when it does, the page reloads onto the new version. The
 * reload is also triggered in every other open tab that saw the update
 * (workbox-window's `controlling`), so each tab checks its own unsent work:
 * a tab with unsent text does not reload, it keeps the notice up and lets the
 * user reload once the messages are out.
 */
export function useAppUpdate(): AppUpdate {
  const unsent = useUnsentWork();
  // The worker this hook registers also sends what a closed page left unsent (W3).
  useSyncOnLeave();
  // Read from service-worker callbacks, which are bound once at registration.
  const unsentRef = useRef(unsent);
  useEffect(() => {
    unsentRef.current = unsent;
  }, [unsent]);

  /** The new worker already controls this page; only a plain reload is left to do. */
  const [takenOver, setTakenOver] = useState(false);

  const [needRefresh, setNeedRefresh] = useState(false);
  const [offlineReady, setOfflineReady] = useState(false);
  const updateServiceWorker = useRef<((reloadPage?: boolean) => Promise<void>) | null>(null);

  // Registered from an effect, not during render (as useRegisterSW from
  // virtual:pwa-register/react does, in a state initialiser): React may
  // render a component and throw the render away (an interrupted concurrent
  // render, the retry after a lazy chunk), and the Workbox instance of a
  // discarded render would catch the first install while the mounted one,
  // registered second, never hears of it: no "ready to work offline".
  useEffect(() => {
    if (updateServiceWorker.current) return;
    updateServiceWorker.current = registerSW({
      immediate: true,
      onNeedRefresh: () => setNeedRefresh(true),
      onOfflineReady: () => setOfflineReady(true),
      onNeedReload() {
        if (unsentRef.current) setTakenOver(true);
        else window.location.reload();
      },
      onRegisteredSW(_swUrl, registration) {
        if (registration) scheduleUpdateChecks(registration);
      },
      onRegisterError(error: unknown) {
        // The app works without a worker (just not offline); keep a trace for debugging.
        console.warn('service worker registration failed', error);
      },
    });
  }, []);

  const applyUpdate = useCallback(() => {
    if (unsentRef.current) return;
    if (takenOver) {
      window.location.reload();
      return;
    }
    // Workbox reloads on its own `controlling` only in a tab that had a
    // controller when it registered: a tab open since the first install
    // would stay on the old page under the new worker. The user asked for
    // the new version, and nothing is unsent: reload when it takes over.
    navigator.serviceWorker?.addEventListener('controllerchange', () => window.location.reload(), { once: true });
    void updateServiceWorker.current?.(true);
  }, [takenOver]);

  const postpone = useCallback(() => {
    setNeedRefresh(false);
    setTakenOver(false);
  }, [setNeedRefresh]);

  const dismissOfflineReady = useCallback(() => setOfflineReady(false), [setOfflineReady]);

  return {
    updateReady: needRefresh || takenOver,
    blocked: unsent,
    applyUpdate,
    postpone,
    offlineReady,
    dismissOfflineReady,
  };
}

function scheduleUpdateChecks(registration: ServiceWorkerRegistration): void {
  setInterval(() => {
    // Offline or mid-install: nothing to learn now, try at the next tick.
    if (!navigator.onLine || registration.installing) return;
    registration.update().catch(() => undefined);
  }, UPDATE_CHECK_INTERVAL_MS);
}
