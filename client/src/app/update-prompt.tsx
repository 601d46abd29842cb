import { useEffect } from 'react';
import { PRIMARY_BUTTON, QUIET_BUTTON, Toast } from './toast';
import { useAppUpdate } from './use-app-update';

/** The "ready to work offline" notice is informative only; it leaves by itself. */
const OFFLINE_READY_VISIBLE_MS = 8000;

/**
 * W2 and W1 notices from the service worker, in one polite live region at
 * the top (the bottom belongs to the composer):
 * - a new version is waiting: "Reload" switches to it, but is disabled while
 *   anything is unsent, since a reload must never drop unsent text;
 * - the first install finished: the app now opens offline.
 */
export function UpdatePrompt() {
  const { updateReady, blocked, applyUpdate, postpone, offlineReady, dismissOfflineReady } = useAppUpdate();

  useEffect(() => {
    if (!offlineReady) return;
    const timer = setTimeout(dismissOfflineReady, OFFLINE_READY_VISIBLE_MS);
    return () => clearTimeout(timer);
  }, [offlineReady, dismissOfflineReady]);

  return (
    // Always mounted, so screen readers already track the region when a notice
    // appears. Below the phone drawer (z-30/40): an open menu covers it.
    <div
      role="status"
      aria-live="polite"
      className="pointer-events-none fixed inset-x-3 top-[calc(env(safe-area-inset-top)+4rem)] z-20 flex flex-col gap-2 md:top-4 md:right-4 md:left-auto md:w-96"
    >
      {updateReady && (
        <Toast
          title="A new version of Whisper is ready"
          detail={blocked ? 'Update after your messages are sent' : undefined}
          actions={
            <>
              <button type="button" className={QUIET_BUTTON} onClick={postpone}>
                Later
              </button>
              <button type="button" className={PRIMARY_BUTTON} onClick={applyUpdate} disabled={blocked}>
                Reload
              </button>
            </>
          }
        />
      )}
      {offlineReady && !updateReady && (
        <Toast
          title="Ready to work offline"
          detail="Whisper now opens without a connection."
          actions={
            <button type="button" className={QUIET_BUTTON} onClick={dismissOfflineReady}>
              OK
            </button>
          }
        />
      )}
    </div>
  );
}
