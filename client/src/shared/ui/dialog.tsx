/**
 * The app's dialog shells, on Headless UI's Dialog: focus is trapped inside
 * and returns to the opener, Esc and a click outside close, the rest of the
 * page is inert, and the dialog is labelled by its title (and described by
 * its description). Imported only by lazily loaded components, so Headless
 * UI stays out of the first screen's JavaScript.
 */
import { Description, Dialog, DialogBackdrop, DialogPanel, DialogTitle } from '@headlessui/react';
import type { ReactNode } from 'react';
import { DANGER_BUTTON, ICON_BUTTON, QUIET_BUTTON } from './buttons';
import { CloseIcon } from './icons';

export interface ModalProps {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** `md` for forms and lists (28 rem), `sm` for a confirmation (24 rem). */
  size?: 'sm' | 'md';
}

/**
 * What every dialog shares: Headless UI's Dialog over the whole viewport (so
 * it has a box, for tests and tools that look for visible dialogs) and the
 * dimmed backdrop; `children` places the panel.
 */
function Shell({ open, onClose, layer, children }: { open: boolean; onClose: () => void; layer: string; children: ReactNode }) {
  return (
    <Dialog open={open} onClose={onClose} className={`fixed inset-0 ${layer}`}>
      <DialogBackdrop transition className="fixed inset-0 bg-slate-950/40 transition-opacity duration-200 ease-out data-closed:opacity-0" />
      {children}
    </Dialog>
  );
}

/**
 * A centred dialog; on a phone it rises from the bottom edge as a sheet, where
 * the thumb is. The body scrolls when it is taller than the screen (the
 * keyboard takes half of it), the title and close button stay.
 */
export function Modal({ open, onClose, title, description, children, size = 'md' }: ModalProps) {
  return (
    <Shell open={open} onClose={onClose} layer="z-50">
      <div className="fixed inset-0 flex items-end justify-center sm:items-center sm:p-4">
        <DialogPanel
          transition
          className={`flex max-h-[92dvh] w-full flex-col rounded-t-2xl border border-line bg-surface pb-safe text-ink shadow-2xl transition duration-200 ease-out data-closed:translate-y-8 data-closed:opacity-0 sm:rounded-2xl sm:pb-0 ${
            size === 'sm' ? 'sm:max-w-sm' : 'sm:max-w-md'
          }`}
        >
          <div className="flex shrink-0 items-start gap-2 px-5 pt-4 pb-2">
            <div className="min-w-0 flex-1 pt-1.5">
              <DialogTitle className="text-lg font-semibold tracking-tight">{title}</DialogTitle>
              {description && <Description className="mt-1 text-sm text-ink-muted">{description}</Description>}
            </div>
            <button type="button" aria-label="Close" onClick={onClose} className={`-mr-2 ${ICON_BUTTON}`}>
              <CloseIcon className="size-5" />
            </button>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto overscroll-contain px-5 pt-2 pb-5">{children}</div>
        </DialogPanel>
      </div>
    </Shell>
  );
}

export interface SidePanelProps {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
}

/**
 * A side sheet from the right (the room's details), the full width of a
 * phone. Modal too: while it is open the conversation behind it is inert.
 */
export function SidePanel({ open, onClose, title, children }: SidePanelProps) {
  return (
    <Shell open={open} onClose={onClose} layer="z-40">
      <div className="fixed inset-0 flex justify-end">
        <DialogPanel
          transition
          className="flex h-full w-full flex-col border-l border-line bg-surface pt-safe pr-safe pb-safe text-ink shadow-2xl transition duration-200 ease-out data-closed:translate-x-full sm:max-w-sm"
        >
          <div className="flex h-14 shrink-0 items-center gap-2 border-b border-line px-3">
            <button type="button" aria-label="Close" onClick={onClose} className={ICON_BUTTON}>
              <CloseIcon className="size-5" />
            </button>
            <DialogTitle className="truncate text-base font-semibold">{title}</DialogTitle>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto overscroll-contain">{children}</div>
        </DialogPanel>
      </div>
    </Shell>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  title: string;
  message: ReactNode;
  /** The confirming button's name ("Delete", "Leave", "Remove"). */
  confirmLabel: string;
  busy?: boolean;
}

/**
 * "Are you sure?" before something that cannot be undone. Focus starts on
 * Cancel, so an Enter pressed out of habit destroys nothing.
 */
export function ConfirmDialog({ open, onClose, onConfirm, title, message, confirmLabel, busy = false }: ConfirmDialogProps) {
  return (
    <Modal open={open} onClose={onClose} title={title} description={message} size="sm">
      <div className="mt-2 flex justify-end gap-2">
        <button type="button" data-autofocus onClick={onClose} className={QUIET_BUTTON}>
          Cancel
        </button>
        <button type="button" onClick={onConfirm} disabled={busy} className={DANGER_BUTTON}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
