import { useCallback, useSyncExternalStore } from 'react';
import { useLocation } from 'wouter';

/** Tailwind's `md` breakpoint (48rem): from here on the room list and the room sit side by side. */
const DESKTOP_MEDIA_QUERY = '(min-width: 48rem)';

/** The history state of a room opened from the list, so the room's back button can go back to it. */
export const OPENED_FROM_LIST = { openedFromList: true } as const;

function subscribe(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => undefined;
  const query = window.matchMedia(DESKTOP_MEDIA_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** Two panes (desktop) or one at a time (phone); follows the window as it is resized. */
export function useIsDesktop(): boolean {
  return useSyncExternalStore(subscribe, () => typeof window.matchMedia === 'function' && window.matchMedia(DESKTOP_MEDIA_QUERY).matches);
}

/**
 * The room's back button (phones): a room opened from the list goes back
 * in history, as the system back gesture would, so list → room → back
 * leaves no extra entry behind; a room opened from a link or a reload
 * replaces itself with the list.
 */
export function useBackToList(): () => void {
  const [, navigate] = useLocation();
  return useCallback(() => {
    const state = window.history.state as { openedFromList?: boolean } | null;
    if (state?.openedFromList) window.history.back();
    else navigate('/', { replace: true });
  }, [navigate]);
}
