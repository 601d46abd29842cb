import { useEffect, useRef, type RefObject } from 'react';
import { PRIMARY_BUTTON, QUIET_BUTTON } from '../shared/ui/buttons';
import { Toast } from './toast';
import { useAppUpdate } from './use-app-update';
import { COMPOSER_CLEARANCE_PROPERTY, TOAST_CLEARANCE_PROPERTY } from '../features/chat/overlay-space';

/** The "ready to work offline" notice is informative only; it leaves by itself. */
const OFFLINE_READY_VISIBLE_MS = 8000;
/** Room left above the toasts (px), on top of the gap below them, so they do not touch the last message. */
const TOAST_MARGIN_PX = 4;

/**
 * While toasts are shown, publishes the room they take above the composer
 * (their height and the gaps around them) as TOAST_CLEARANCE_PROPERTY: the
 * message list ends above them, so a toast covers no message either.
 */
function useToastClearance(region: RefObject<HTMLDivElement | null>) {
  useEffect(() => {
    const element = region.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => {
      const height = element.offsetHeight;
      if (height === 0) root.style.removeProperty(TOAST_CLEARANCE_PROPERTY);
      else root.style.setProperty(TOAST_CLEARANCE_PROPERTY, `calc(${height + TOAST_MARGIN_PX}px + 0.75rem)`);
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.removeProperty(TOAST_CLEARANCE_PROPERTY);
    };
  }, [region]);
}

/**
 * W2 and W1 notices from the service worker, in one polite live region at
 * the bottom, just above the composer (COMPOSER_CLEARANCE_PROPERTY; the
 * bottom safe area where there is none): full width on phones, the bottom
 * right corner of the conversation on wider screens. There they cover
 * neither the headers (the room, the connection status) nor the text box,
 * and the message list makes room for them (TOAST_CLEARANCE_PROPERTY).
 * - a new version is waiting: "Reload" switches to it, but is disabled while
 *   anything is unsent, since a reload must never drop unsent text; "Later"
 *   puts it away;
 * - the first install finished: the app now opens offline ("OK", or it
 *   leaves by itself).
 */
export function UpdatePrompt() {
  const { updateReady, blocked, applyUpdate, postpone, offlineReady, dismissOfflineReady } = useAppUpdate();
  const regionRef = useRef<HTMLDivElement>(null);
  useToastClearance(regionRef);

  useEffect(() => {
    if (!offlineReady) return;
    const timer = setTimeout(dismissOfflineReady, OFFLINE_READY_VISIBLE_MS);
    return () => clearTimeout(timer);
  }, [offlineReady, dismissOfflineReady]);

  return (
    // Always mounted, so screen readers already track the region when a notice
    // appears. Below the phone drawer (z-30/40): an open menu covers it. The
    // newest toast is nearest the composer (column-reverse).
    <div
      ref={regionRef}
      role="status"
      aria-live="polite"
      style={{ bottom: `calc(var(${COMPOSER_CLEARANCE_PROPERTY}, env(safe-area-inset-bottom, 0px)) + 0.75rem)` }}
      className="pointer-events-none fixed inset-x-3 z-20 flex flex-col-reverse gap-2 md:right-4 md:left-auto md:w-96"
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
