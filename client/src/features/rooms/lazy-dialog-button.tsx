import type { ComponentType, ReactNode } from 'react';
import { LazyDialogSlot } from '../../shared/ui/lazy-dialog-slot';
import { useLazyDialog } from '../../shared/ui/use-lazy-dialog';

interface OpenClose {
  open: boolean;
  onClose: () => void;
}

export interface LazyDialogButtonProps<E extends object> {
  /** Fetches the dialog's code (see preload.ts). */
  load: () => Promise<ComponentType<E & OpenClose>>;
  /** What the dialog needs besides open/onClose (the room, for the details panel). */
  dialogProps: E;
  className: string;
  /** The button's content: an icon and its label (or an aria-label for an icon alone). */
  children: ReactNode;
  'aria-label'?: string;
  title?: string;
}

/**
 * A button that opens a dialog whose code is not on the first screen: it is
 * fetched ahead when the pointer or focus comes near (and cached, without
 * being evaluated, by the service worker's precache), mounted when pressed, and a failed fetch says so instead of
 * taking the app down (LazyDialogSlot).
 */
export function LazyDialogButton<E extends object>({ load, dialogProps, className, children, ...named }: LazyDialogButtonProps<E>) {
  const dialog = useLazyDialog(load);
  const prefetch = () => void load().catch(() => undefined);
  return (
    <>
      <button type="button" aria-haspopup="dialog" onClick={dialog.show} onPointerEnter={prefetch} onFocus={prefetch} className={className} {...named}>
        {children}
      </button>
      <LazyDialogSlot dialog={dialog} props={{ ...dialogProps, open: dialog.open, onClose: dialog.hide }} />
    </>
  );
}
