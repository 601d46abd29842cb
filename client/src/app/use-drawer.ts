import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** Tailwind's `md` breakpoint (48rem): from here on the sidebar is a fixed column, not a drawer. */
const DESKTOP_MEDIA_QUERY = '(min-width: 48rem)';

export interface Drawer {
  open: boolean;
  show: () => void;
  hide: () => void;
  /** The button that opens the drawer; focus goes back to it on close. */
  triggerRef: RefObject<HTMLButtonElement | null>;
  /** The control inside the drawer that takes focus when it opens. */
  initialFocusRef: RefObject<HTMLButtonElement | null>;
}

/**
 * State and keyboard/focus behaviour of the phone sidebar drawer: Escape
 * closes it, focus moves into it on open and back to the menu button on
 * close, and it closes when the window grows into the desktop layout (where
 * the rest of the page would otherwise stay inert behind a drawer that is no
 * longer shown).
 */
export function useDrawer(): Drawer {
  const [open, setOpen] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const initialFocusRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);

  const show = useCallback(() => setOpen(true), []);
  const hide = useCallback(() => setOpen(false), []);

  useEffect(() => {
    if (open) initialFocusRef.current?.focus();
    else if (wasOpen.current) triggerRef.current?.focus();
    wasOpen.current = open;
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [open]);

  useEffect(() => {
    if (!open || typeof window.matchMedia !== 'function') return;
    const desktop = window.matchMedia(DESKTOP_MEDIA_QUERY);
    const onChange = () => {
      if (desktop.matches) setOpen(false);
    };
    desktop.addEventListener('change', onChange);
    return () => desktop.removeEventListener('change', onChange);
  }, [open]);

  return { open, show, hide, triggerRef, initialFocusRef };
}
