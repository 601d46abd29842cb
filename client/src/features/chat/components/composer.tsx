import { MAX_CONTENT_LENGTH } from '@whisper/protocol';
import { lazy, memo, Suspense, useId, useLayoutEffect, useRef, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { COMPOSER_CLEARANCE_PROPERTY } from '../overlay-space';
import { CloseIcon } from '../../../shared/ui/icons';
import { LoadBoundary } from '../../../shared/ui/load-boundary';
import { PaperclipIcon, SendIcon } from './icons';
import { MicButton } from './voice-controls';
import { useVoiceRecorder } from '../hooks/use-voice-recorder';
import type { VoiceNote } from '../voice/voice-recorder';

export interface ComposerProps {
  /** Called with the text exactly as typed (never trimmed). The page writes it to the outbox (C1). */
  onSend: (content: string) => void;
  /** Controlled text, so the page can persist drafts (W2). */
  draft: string;
  onDraftChange: (draft: string) => void;
  /** When set, sending is off and this is shown; typing stays possible so nothing is lost. */
  disabledReason?: string | null;
  /** X1: the message the next send replies to, shown in a bar above the box. */
  replyingTo?: { senderName: string; excerpt: string } | null;
  onCancelReply?: () => void;
  /** Up arrow in the empty box (desktop): edit the last own message; true when there was one. */
  onEditLast?: () => boolean;
  /** The text box, for the page to focus (a reply was started). */
  inputRef?: RefObject<HTMLTextAreaElement | null>;
  /**
   * L2: true on every input that leaves text in the box, false when it is
   * emptied, sent or left (blur). The engine throttles what goes out.
   */
  onTypingChange?: (typing: boolean) => void;
  /**
   * F2: files picked with the attach button or pasted into the box; the page
   * sends them as one message with the box's text as caption. Without it
   * there is no attach button.
   */
  onAttach?: (files: File[]) => void;
  /** F1: a voice note recorded with the mic button; without it (or without MediaRecorder) there is no mic button. */
  onVoiceNote?: (note: VoiceNote) => void;
}

/**
 * Publishes the distance from the bottom of the viewport to the top of
 * `form` (COMPOSER_CLEARANCE_PROPERTY) while it is mounted, so that toasts
 * sit just above the composer however tall it has grown.
 */
function useComposerClearance(formRef: RefObject<HTMLFormElement | null>) {
  useLayoutEffect(() => {
    const form = formRef.current;
    if (!form) return;
    const root = document.documentElement;
    const update = () => {
      const clearance = Math.max(0, Math.round(window.innerHeight - form.getBoundingClientRect().top));
      root.style.setProperty(COMPOSER_CLEARANCE_PROPERTY, `${clearance}px`);
    };
    // A ResizeObserver calls `update` once the form is laid out (and on every
    // resize): reading its position here would force a layout of the page in
    // the commit that mounts it, and nothing needs the clearance before the
    // first paint (the toasts come after start-up).
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(update);
    if (observer) observer.observe(form);
    else update();
    window.addEventListener('resize', update);
    return () => {
      observer?.disconnect();
      window.removeEventListener('resize', update);
      root.style.removeProperty(COMPOSER_CLEARANCE_PROPERTY);
    };
  }, [formRef]);
}

// F1: the bar shown while recording (timer, level meter) loads with the first recording.
const RecordingBar = lazy(() => import('./recording-bar'));

/** F1: what the attach button offers: images and audio (the server decides by the bytes; this only filters the obvious). */
export const ATTACH_ACCEPT = 'image/*,audio/*';

/** The counter appears when this few characters are left. */
export const COUNTER_THRESHOLD = 200;
/** About six lines of 24px, plus padding; beyond that the textarea scrolls. */
const MAX_TEXTAREA_HEIGHT_PX = 6 * 24 + 20;

export type SendBlock = 'empty' | 'too-long' | 'disabled' | null;

/** Why `draft` cannot be sent right now, or null when it can. */
export function sendBlock(draft: string, disabledReason?: string | null): SendBlock {
  if (disabledReason) return 'disabled';
  if (draft.trim().length === 0) return 'empty';
  if (draft.length > MAX_CONTENT_LENGTH) return 'too-long';
  return null;
}

/**
 * The message box (C9: textbox "Message", button "Send"). Enter sends,
 * Shift+Enter breaks the line, nothing is sent mid-IME-composition.
 * Memoized: the page re-renders for the connection and the timeline, the
 * composer only for its own props.
 */
export const Composer = memo(function Composer({ onSend, draft, onDraftChange, disabledReason, replyingTo, onCancelReply, onEditLast, inputRef, onTypingChange, onAttach, onVoiceNote }: ComposerProps) {
  const voice = useVoiceRecorder(onVoiceNote);
  const fileRef = useRef<HTMLInputElement>(null);
  const ownRef = useRef<HTMLTextAreaElement>(null);
  const textareaRef = inputRef ?? ownRef;
  const formRef = useRef<HTMLFormElement>(null);
  useComposerClearance(formRef);
  const hintId = useId();
  const block = sendBlock(draft, disabledReason);
  const remaining = MAX_CONTENT_LENGTH - draft.length;
  const tooLong = remaining < 0;
  const showCounter = remaining <= COUNTER_THRESHOLD;

  // Grow with the text up to MAX_TEXTAREA_HEIGHT_PX, then scroll. Empty and
  // never grown (the usual mount), the textarea already is its one row: no
  // measuring, which would force a layout of the page in that commit.
  useLayoutEffect(() => {
    const el = textareaRef.current;
    if (!el || (draft === '' && el.style.height === '')) return;
    el.style.height = 'auto';
    const height = Math.min(el.scrollHeight, MAX_TEXTAREA_HEIGHT_PX);
    if (height > 0) el.style.height = `${height}px`;
    el.style.overflowY = el.scrollHeight > MAX_TEXTAREA_HEIGHT_PX ? 'auto' : 'hidden';
  }, [draft, textareaRef]);

  function send() {
    if (sendBlock(draft, disabledReason) !== null) return;
    onTypingChange?.(false);
    onSend(draft);
    onDraftChange('');
    textareaRef.current?.focus();
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    send();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Escape' && replyingTo) {
      onCancelReply?.();
      return;
    }
    if (event.key === 'ArrowUp' && draft === '' && !event.shiftKey && !event.altKey && onEditLast) {
      if (onEditLast()) event.preventDefault();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey) return;
    // IME: Enter confirms the composition; it must not send (keyCode 229 covers older Safari).
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    send();
  }

  return (
    <form
      ref={formRef}
      onSubmit={handleSubmit}
      className="border-t border-slate-200 bg-white/85 px-3 pt-2 pb-[max(0.5rem,env(safe-area-inset-bottom))] backdrop-blur supports-[backdrop-filter]:bg-white/70 dark:border-slate-800 dark:bg-slate-900/85 dark:supports-[backdrop-filter]:bg-slate-900/70 sm:px-4"
    >
      {replyingTo && (
        <div className="mb-2 flex items-center gap-2 rounded-xl border-l-4 border-indigo-500 bg-slate-100 py-1.5 pr-1 pl-3 text-sm dark:bg-slate-800" role="status">
          <div className="min-w-0 flex-1">
            <p className="text-xs font-semibold text-indigo-700 dark:text-indigo-300">Replying to {replyingTo.senderName}</p>
            <p className="truncate text-slate-700 dark:text-slate-200">{replyingTo.excerpt}</p>
          </div>
          <button
            type="button"
            aria-label="Cancel reply"
            onClick={onCancelReply}
            className="grid size-9 shrink-0 place-items-center rounded-full text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-white/10"
          >
            <CloseIcon className="size-4" />
          </button>
        </div>
      )}
      <div className="flex items-end gap-2">
        {onAttach && (
          <>
            <button
              type="button"
              aria-label="Attach files"
              disabled={Boolean(disabledReason)}
              onClick={() => fileRef.current?.click()}
              className="grid size-11 shrink-0 place-items-center rounded-full text-slate-600 transition hover:bg-slate-200 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-50 dark:text-slate-300 dark:hover:bg-white/10"
            >
              <PaperclipIcon className="size-5" />
            </button>
            <input
              ref={fileRef}
              type="file"
              accept={ATTACH_ACCEPT}
              multiple
              hidden
              data-testid="attach-input"
              onChange={(event) => {
                const files = [...(event.target.files ?? [])];
                // The same file may be picked again next time.
                event.target.value = '';
                if (files.length > 0) onAttach(files);
              }}
            />
          </>
        )}
        {voice.recording ? (
          // Its code not to be had (offline before the service worker kept it): no recording without its bar.
          <LoadBoundary onError={voice.cancel}>
            <Suspense fallback={<div className="min-h-11 flex-1 rounded-3xl bg-rose-50 dark:bg-rose-500/15" />}>
              <RecordingBar voice={voice} />
            </Suspense>
          </LoadBoundary>
        ) : (
        <div
          className={`flex min-h-11 flex-1 items-center rounded-3xl bg-slate-100 px-4 ring-1 transition-shadow focus-within:ring-2 dark:bg-slate-800 ${
            tooLong
              ? 'ring-rose-500 focus-within:ring-rose-500'
              : 'ring-transparent focus-within:ring-indigo-500 dark:ring-transparent'
          }`}
        >
          <textarea
            ref={textareaRef}
            aria-label="Message"
            aria-describedby={hintId}
            aria-invalid={tooLong || undefined}
            placeholder="Write a message…"
            rows={1}
            value={draft}
            onChange={(event) => {
              onDraftChange(event.target.value);
              onTypingChange?.(event.target.value.trim() !== '');
            }}
            onBlur={() => onTypingChange?.(false)}
            onPaste={(event) => {
              // F2: an image pasted from the clipboard is attached; pasted text goes in as usual.
              const files = onAttach && !disabledReason ? [...event.clipboardData.files] : [];
              if (files.length === 0) return;
              event.preventDefault();
              onAttach!(files);
            }}
            onKeyDown={handleKeyDown}
            enterKeyHint="send"
            autoComplete="off"
            className="block w-full resize-none overflow-y-hidden bg-transparent py-2.5 text-base leading-6 text-slate-900 placeholder:text-slate-500 focus:outline-none dark:text-slate-100 dark:placeholder:text-slate-400"
          />
        </div>
        )}
        {voice.supported && !disabledReason && (draft === '' || voice.recording) && <MicButton voice={voice} />}
        <button
          type="submit"
          disabled={block !== null}
          // Keep the keyboard open on phones: the tap must not move focus off the textarea.
          onMouseDown={(event) => event.preventDefault()}
          className="grid size-11 shrink-0 place-items-center rounded-full bg-indigo-600 text-white shadow-sm transition hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 active:scale-95 disabled:bg-slate-300 disabled:text-slate-500 disabled:shadow-none disabled:active:scale-100 dark:disabled:bg-slate-700 dark:disabled:text-slate-400"
        >
          <SendIcon className="size-5 -translate-x-px translate-y-px" />
          <span className="sr-only">Send</span>
        </button>
      </div>

      <div id={hintId} aria-live="polite" className="px-4 empty:hidden">
        {voice.error ? (
          <p className="pt-1.5 text-xs text-rose-700 dark:text-rose-300">{voice.error}</p>
        ) : disabledReason ? (
          <p className="pt-1.5 text-xs text-slate-600 dark:text-slate-300">{disabledReason}</p>
        ) : tooLong ? (
          <p className="pt-1.5 text-xs font-medium text-rose-700 dark:text-rose-300">
            Too long by {(-remaining).toLocaleString()} {-remaining === 1 ? 'character' : 'characters'}. Messages
            can be at most {MAX_CONTENT_LENGTH.toLocaleString()} characters.
          </p>
        ) : showCounter ? (
          <p className="pt-1.5 text-right text-xs text-amber-700 tabular-nums dark:text-amber-300">
            {remaining.toLocaleString()} {remaining === 1 ? 'character' : 'characters'} left
          </p>
        ) : null}
      </div>
    </form>
  );
});
