/**
 * The message actions' dialogs: the full emoji picker (X3) and "Delete
 * message?" (X2). One chunk, loaded when either is first opened, so Headless
 * UI and the picker stay out of the first screen's JavaScript.
 *
 * The picker is Frimousse: headless (styled here, so nothing injects a
 * <style> that the app's CSP would refuse), with Emojibase's data served
 * from this origin (EMOJIBASE_URL, copied there by the build and precached
 * by the service worker: it opens offline too, and never asks a CDN).
 */
import { EmojiPicker } from 'frimousse';
import { ConfirmDialog, Modal } from '../../../shared/ui/dialog';

/** Where the build puts Emojibase's data (vite.config.ts, emojibaseData()). */
const EMOJIBASE_URL = '/emojibase';

export type MessageDialog = { kind: 'emoji'; onPick: (emoji: string) => void } | { kind: 'delete'; everyone: boolean; onConfirm: () => void };

export interface MessageDialogsProps {
  dialog: MessageDialog | null;
  onClose: () => void;
}

export default function MessageDialogs({ dialog, onClose }: MessageDialogsProps) {
  return (
    <>
      <Modal open={dialog?.kind === 'emoji'} onClose={onClose} title="Add reaction">
        {dialog?.kind === 'emoji' && (
          <EmojiPicker.Root
            emojibaseUrl={EMOJIBASE_URL}
            columns={8}
            onEmojiSelect={({ emoji }) => {
              dialog.onPick(emoji);
              onClose();
            }}
            className="isolate flex h-96 w-full flex-col"
          >
            <EmojiPicker.Search
              aria-label="Search emoji"
              placeholder="Search emoji"
              className="mb-2 min-h-11 w-full rounded-xl bg-slate-100 px-3 text-base text-slate-900 placeholder:text-slate-500 focus:outline-2 focus:outline-indigo-500 dark:bg-slate-800 dark:text-slate-100"
            />
            <EmojiPicker.Viewport className="relative flex-1 outline-hidden">
              <EmojiPicker.Loading className="absolute inset-0 grid place-items-center text-sm text-slate-500">Loading…</EmojiPicker.Loading>
              <EmojiPicker.Empty className="absolute inset-0 grid place-items-center text-sm text-slate-500">No emoji found.</EmojiPicker.Empty>
              <EmojiPicker.List
                className="pb-1.5 select-none"
                components={{
                  CategoryHeader: ({ category, ...props }) => (
                    <div className="bg-surface px-1 pt-3 pb-1.5 text-xs font-semibold text-slate-600 dark:text-slate-300" {...props}>
                      {category.label}
                    </div>
                  ),
                  Row: ({ children, ...props }) => (
                    <div className="scroll-my-1.5 px-0.5" {...props}>
                      {children}
                    </div>
                  ),
                  Emoji: ({ emoji, ...props }) => (
                    <button className="grid size-10 place-items-center rounded-lg text-2xl data-active:bg-slate-100 dark:data-active:bg-white/10" {...props}>
                      {emoji.emoji}
                    </button>
                  ),
                }}
              />
            </EmojiPicker.Viewport>
          </EmojiPicker.Root>
        )}
      </Modal>
      <ConfirmDialog
        open={dialog?.kind === 'delete'}
        onClose={onClose}
        onConfirm={() => {
          if (dialog?.kind === 'delete') dialog.onConfirm();
          onClose();
        }}
        title="Delete message?"
        message={dialog?.kind === 'delete' && dialog.everyone ? 'You own this room: the message is deleted for everyone in it.' : 'It is deleted for everyone in the room, on every device.'}
        confirmLabel="Delete"
      />
    </>
  );
}
