import { MAX_CONTENT_LENGTH } from '@whisper/protocol';
import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ActionFailure, QuoteView, ReactionView } from '../../../shared/sync/timeline';

/** X1: the quoted message inside a reply; a tap shows it. */
export function QuoteBlock({ quote, own, onJump }: { quote: QuoteView; own: boolean; onJump?: (quote: QuoteView) => void }) {
  const text = quote.deleted ? 'Message deleted' : quote.excerpt;
  return (
    <button
      type="button"
      onClick={() => onJump?.(quote)}
      aria-label={`Reply to ${quote.senderName}: ${text}. Show the message`}
      className={`mb-1.5 block w-full min-w-0 rounded-lg border-l-4 px-2.5 py-1 text-left text-[13px] leading-snug ${
        own ? 'border-indigo-200 bg-indigo-500/60 text-indigo-50' : 'border-indigo-400 bg-slate-100 text-slate-700 dark:bg-slate-700/60 dark:text-slate-200'
      }`}
    >
      <span className="block font-semibold">{quote.senderName}</span>
      <span className={`line-clamp-2 wrap-anywhere ${quote.deleted ? 'italic' : ''}`}>{text}</span>
    </button>
  );
}

/** X3: one chip per emoji, pressed when it includes the user; a tap toggles the user's own. */
export function ReactionChips({ reactions, own, onToggle }: { reactions: ReactionView[]; own: boolean; onToggle?: (emoji: string, on: boolean) => void }) {
  if (reactions.length === 0) return null;
  return (
    <div className={`mt-1 flex flex-wrap gap-1 ${own ? 'justify-end' : 'justify-start'}`}>
      {reactions.map((reaction) => {
        const who = reaction.names.join(', ');
        return (
          <button
            key={reaction.emoji}
            type="button"
            title={who}
            aria-pressed={reaction.mine}
            aria-label={`${reaction.emoji} ${reaction.count}: ${who}${reaction.mine ? '. Tap to remove yours' : '. Tap to add yours'}`}
            data-pending={reaction.pending || undefined}
            onClick={() => onToggle?.(reaction.emoji, !reaction.mine)}
            className="inline-flex min-h-8 items-center gap-1 rounded-full bg-white px-2 text-sm shadow-sm ring-1 ring-slate-900/10 aria-pressed:bg-indigo-50 aria-pressed:ring-indigo-400 data-pending:opacity-70 dark:bg-slate-800 dark:ring-white/10 dark:aria-pressed:bg-indigo-500/20"
          >
            <span aria-hidden="true">{reaction.emoji}</span>
            <span aria-hidden="true" className="text-xs tabular-nums text-slate-700 dark:text-slate-200">
              {reaction.count}
            </span>
          </button>
        );
      })}
    </div>
  );
}

/** X4: actions on this message that the server refused, each undone, with the reason, Retry and Discard. */
export function ActionFailures({ failures, onRetry, onDiscard }: { failures: ActionFailure[]; onRetry: (clientId: string) => void; onDiscard: (clientId: string) => void }) {
  if (failures.length === 0) return null;
  const button = 'min-h-8 rounded-full px-2.5 font-semibold hover:bg-rose-100 dark:hover:bg-rose-500/20';
  return (
    <ul className="mt-1 space-y-1 text-xs text-rose-700 dark:text-rose-300">
      {failures.map((failure) => (
        <li key={failure.clientId} className="flex flex-wrap items-center justify-end gap-1" data-action-failure="">
          <span>
            <span className="font-semibold">{failure.label} not done:</span> {failure.reason}
          </span>
          <button type="button" className={button} onClick={() => onRetry(failure.clientId)}>
            Retry
          </button>
          <button type="button" className={button} onClick={() => onDiscard(failure.clientId)}>
            Discard
          </button>
        </li>
      ))}
    </ul>
  );
}

/** X2: editing in place. Enter saves, Shift+Enter breaks the line, Esc cancels. */
export function EditBox({ initial, onSave, onCancel }: { initial: string; onSave: (content: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const invalid = text.trim().length === 0 || text.length > MAX_CONTENT_LENGTH;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => {
    if (invalid) return;
    if (text === initial) onCancel();
    else onSave(text);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  };
  return (
    <div className="w-full min-w-64">
      <textarea
        ref={ref}
        aria-label="Edit message"
        aria-describedby={hintId}
        aria-invalid={invalid || undefined}
        value={text}
        rows={Math.min(6, text.split('\n').length)}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        className="block w-full resize-none rounded-lg bg-white/95 px-2 py-1.5 text-[15px] text-slate-900 focus:outline-2 focus:outline-indigo-300 dark:bg-slate-900 dark:text-slate-100"
      />
      <div className="mt-1.5 flex items-center justify-end gap-1 text-xs">
        <span id={hintId} className="mr-auto opacity-90">
          Esc to cancel · Enter to save
        </span>
        <button type="button" onClick={onCancel} className="min-h-8 rounded-full px-3 font-semibold hover:bg-white/20">
          Cancel
        </button>
        <button type="button" onClick={save} disabled={invalid} className="min-h-8 rounded-full bg-white px-3 font-semibold text-indigo-700 disabled:opacity-50">
          Save
        </button>
      </div>
    </div>
  );
}
