import { lazy, Suspense, useCallback, useRef, useState, type PointerEvent } from 'react';
import { formatFullDateTime, formatTime } from '../../../shared/ui/format-time';
import { RetryIcon, TrashIcon } from '../../../shared/ui/icons';
import { Avatar, personColour } from '../../../shared/ui/avatar';
import { StatusMark } from './status-mark';
import type { TimelineItem } from '../../../shared/sync/timeline';
import { useIsEditing, useMessageActions } from '../actions/message-actions-context';
import { MessageActionsTrigger } from '../actions/message-actions-trigger';
import { ActionFailures, EditBox, QuoteBlock, ReactionChips } from './message-parts';
import { MessageText } from './message-text';

// F6: files are drawn by a lazy chunk (tiles, player, media cache): text-only rooms never load it.
const MessageAttachments = lazy(() => import('./message-attachments'));

/** A touch held this long opens the message's menu (C9: long-press on a phone). */
const LONG_PRESS_MS = 500;
/** A finger that moves further than this is scrolling, not pressing. */
const LONG_PRESS_SLOP_PX = 10;

/** C9: long-press (touch) and the context menu (right click; Android's long-press) open the menu. */
function useLongPress(onPress: () => void, enabled: boolean) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const start = useRef<{ x: number; y: number } | null>(null);
  const cancel = () => {
    clearTimeout(timer.current);
    start.current = null;
  };
  if (!enabled) return {};
  return {
    onPointerDown: (event: PointerEvent) => {
      if (event.pointerType !== 'touch') return;
      start.current = { x: event.clientX, y: event.clientY };
      timer.current = setTimeout(onPress, LONG_PRESS_MS);
    },
    onPointerMove: (event: PointerEvent) => {
      if (start.current && Math.hypot(event.clientX - start.current.x, event.clientY - start.current.y) > LONG_PRESS_SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onContextMenu: (event: { preventDefault: () => void; target: EventTarget }) => {
      // A link keeps the browser's own menu (open in a new tab, copy the address).
      if (event.target instanceof Element && event.target.closest('a')) return;
      event.preventDefault();
      cancel();
      onPress();
    },
  };
}

export interface MessageBubbleProps {
  item: TimelineItem;
  /** C6: called with the failed message's client_id; the page re-queues it under the same id (C2). */
  onRetry: (clientId: string) => void;
  /** C6: called with the failed message's client_id; the page drops it from the outbox. */
  onDelete: (clientId: string) => void;
  /** First message of a run from the same sender: shows the avatar and name. */
  groupStart?: boolean;
  /** Last message of such a run: shows the run's time, and leaves room before the next sender. */
  groupEnd?: boolean;
}

/**
 * L4, groups: "Read by 2"; the names on hover (title) and on a tap or click,
 * which shows them in place of the count (a phone has no hover).
 */
function ReadBy({ names }: { names: string[] }) {
  const [open, setOpen] = useState(false);
  const list = names.join(', ');
  return (
    <button
      type="button"
      title={`Read by ${list}`}
      aria-label={`Read by ${list}`}
      aria-expanded={open}
      data-read-by={names.length}
      onClick={(event) => {
        event.stopPropagation();
        setOpen((was) => !was);
      }}
      className="max-w-48 truncate rounded underline decoration-dotted underline-offset-2 focus-visible:outline-2 focus-visible:outline-white"
    >
      {open ? `Read by ${list}` : `Read by ${names.length}`}
    </button>
  );
}

/**
 * One message. Own messages sit right in the accent colour with a status mark
 * (C6) and `data-status` on the root (C9); other people's sit left on a
 * neutral surface under the sender's avatar and display name (A5), in
 * their colour. The time is shown once
 * per run, on its last bubble; every bubble has the full date on hover.
 *
 * R3: the content is a React text node, never HTML.
 */
export function MessageBubble({ item, onRetry, onDelete, groupStart = true, groupEnd = true }: MessageBubbleProps) {
  const { own, status, clientId } = item;
  const actions = useMessageActions();
  const editing = useIsEditing(item.key);
  const [menuRequest, setMenuRequest] = useState(0);
  const openMenu = () => setMenuRequest((n) => n + 1);
  const menuOpened = useCallback(() => setMenuRequest(0), []);
  const hasActions = actions !== null && !item.deleted && !editing;
  const press = useLongPress(openMenu, hasActions);
  const name = item.senderName;
  const failed = own && status === 'failed';
  // A failed message always says when it was written, wherever it sits in its run.
  const showTime = groupEnd || failed;

  const corners = own
    ? `rounded-2xl ${groupStart ? '' : 'rounded-tr-md'} ${groupEnd ? '' : 'rounded-br-md'}`
    : `rounded-2xl ${groupStart ? '' : 'rounded-tl-md'} ${groupEnd ? '' : 'rounded-bl-md'}`;

  const surface = own
    ? `bg-indigo-600 text-white shadow-sm shadow-indigo-900/10 ${failed ? 'ring-2 ring-rose-500/80 dark:ring-rose-400/80' : ''}`
    : 'bg-white text-slate-900 shadow-sm ring-1 ring-slate-900/5 dark:bg-slate-800 dark:text-slate-100 dark:ring-white/10';

  return (
    <div
      data-message=""
      data-key={item.key}
      data-client-id={clientId ?? undefined}
      data-status={own && status ? status : undefined}
      data-receipt={item.receipt ?? undefined}
      data-deleted={item.deleted || undefined}
      data-action-pending={item.pendingAction ?? undefined}
      onPointerEnter={hasActions ? actions.preloadMenu : undefined}
      className={`group flex w-full gap-2 px-3 transition-colors duration-500 data-focused:bg-amber-100/70 sm:px-4 dark:data-focused:bg-amber-300/10 ${own ? 'flex-row-reverse' : 'flex-row'} ${groupEnd ? 'pb-3' : 'pb-0.5'} motion-safe:transition motion-safe:duration-300 motion-safe:ease-out motion-safe:starting:translate-y-2 motion-safe:starting:opacity-0`}
    >
      {!own && (
        <div className="w-8 shrink-0" aria-hidden="true">
          {groupStart && <Avatar name={name} color={item.senderColor} avatar={item.senderAvatar} size="sm" />}
        </div>
      )}

      <div className={`flex max-w-[85%] min-w-0 flex-col md:max-w-[min(70%,44rem)] ${own ? 'items-end' : 'items-start'}`}>
        {!own && groupStart ? (
          <span className={`mb-1 ml-1 text-xs font-medium ${personColour(item.senderColor).text}`}>{name}</span>
        ) : (
          <span className="sr-only">{own ? 'You' : name}</span>
        )}

        <div className={`flex max-w-full min-w-0 items-center gap-1 ${own ? 'flex-row-reverse' : 'flex-row'}`}>
        {/* Unsent is told by the clock mark, not by fading the bubble: faded text fails contrast (WCAG AA). */}
        <div
          {...press}
          className={`max-w-full min-w-0 flow-root px-3.5 py-2 text-[15px] leading-snug ${corners} ${item.deleted ? DELETED_SURFACE : surface} ${item.pendingAction ? 'opacity-90' : ''}`}
          // The full date is only a hover tooltip, on every bubble (a run
          // shows its time once): formatted when the pointer arrives rather
          // than for every bubble drawn (the first long date format costs
          // tens of milliseconds on a phone).
          onPointerEnter={(event) => {
            event.currentTarget.title = formatFullDateTime(item.createdAt);
          }}
        >
          {item.replyTo && !item.deleted && <QuoteBlock quote={item.replyTo} own={own} onJump={actions?.jumpTo} />}
          {!item.deleted && item.attachments.length > 0 && (
            // F2: a message still uploading may be cancelled (it has not left the device).
            <Suspense fallback={<div className="mb-1.5 h-24 w-40 rounded-xl bg-black/10" aria-hidden="true" />}>
              <MessageAttachments attachments={item.attachments} own={own} onCancel={clientId && status === 'pending' ? () => onDelete(clientId) : undefined} />
            </Suspense>
          )}
          {item.deleted ? (
            <p className="inline italic">{item.pendingAction === 'delete' ? 'Deleting…' : 'Message deleted'}</p>
          ) : editing && actions ? (
            <EditBox initial={item.content} onSave={(content) => actions.saveEdit(item, content)} onCancel={actions.cancelEdit} />
          ) : item.content === '' && item.attachments.length > 0 ? null : (
            <MessageText content={item.content} />
          )}
          {/*
            The time, once per run (on its last bubble), and each own
            message's status mark (C6). Floated after the text: it sits at
            the end of the last line when there is room, below it when not.
          */}
          {(showTime || (own && status)) && (
            <span
              className={`float-right mt-1.5 ml-2.5 flex h-3.5 items-center gap-1 text-[11px] leading-none tabular-nums ${
                own ? 'text-indigo-50' : 'text-slate-500 dark:text-slate-400'
              }`}
            >
              {item.pendingAction === 'edit' ? <span>saving…</span> : item.editedAt && !item.deleted && <span>edited</span>}
              {showTime && item.readBy.length > 0 && <ReadBy names={item.readBy} />}
              {showTime && <time dateTime={item.createdAt}>{formatTime(item.createdAt)}</time>}
              {own && status && <StatusMark status={status} receipt={item.receipt} />}
            </span>
          )}
        </div>
        {hasActions && (
          <MessageActionsTrigger
            item={item}
            openRequest={menuRequest}
            onOpenRequest={openMenu}
            onOpened={menuOpened}
            className="grid size-8 shrink-0 place-items-center rounded-full text-slate-500 opacity-0 transition-opacity group-hover:opacity-100 hover:bg-slate-200/70 focus-visible:opacity-100 focus-visible:outline-2 focus-visible:outline-indigo-500 data-open:opacity-100 dark:text-slate-400 dark:hover:bg-white/10 pointer-coarse:sr-only"
          />
        )}
        </div>

        {!item.deleted && <ReactionChips reactions={item.reactions} own={own} onToggle={actions ? (emoji, on) => actions.react(item, emoji, on) : undefined} />}
        {actions && <ActionFailures failures={item.actionFailures} onRetry={actions.retry} onDiscard={actions.discard} />}

        {failed && (
          <FailedActions
            error={item.error}
            onRetry={clientId && item.retryable ? () => onRetry(clientId) : undefined}
            onDelete={clientId ? () => onDelete(clientId) : undefined}
          />
        )}
      </div>
    </div>
  );
}

/** A deleted message: a quiet line, the same for everyone. */
const DELETED_SURFACE = 'bg-transparent text-slate-500 ring-1 ring-slate-300 dark:text-slate-400 dark:ring-slate-600';

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function FailedActions({
  error,
  onRetry,
  onDelete,
}: {
  error: string | null;
  onRetry?: () => void;
  onDelete?: () => void;
}) {
  const button =
    'inline-flex min-h-11 items-center gap-1.5 rounded-full px-3 text-xs font-semibold transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-50 sm:min-h-8';
  return (
    <div className="mt-1.5 flex flex-wrap items-center justify-end gap-x-1 gap-y-1 text-xs">
      {/* The server's reason is written for developers ("content is longer than…"): lead with the plain outcome. */}
      <p className="mr-1 text-rose-700 dark:text-rose-300">
        {error ? (
          <>
            <span className="font-semibold">Not sent:</span> <span>{sentenceCase(error)}</span>
          </>
        ) : (
          'Not sent.'
        )}
      </p>
      <button
        type="button"
        onClick={onRetry}
        disabled={!onRetry}
        className={`${button} bg-rose-50 text-rose-700 hover:bg-rose-100 dark:bg-rose-500/15 dark:text-rose-200 dark:hover:bg-rose-500/25`}
      >
        <RetryIcon className="size-3.5" />
        Retry
      </button>
      <button
        type="button"
        onClick={onDelete}
        disabled={!onDelete}
        className={`${button} text-slate-600 hover:bg-slate-200/70 dark:text-slate-300 dark:hover:bg-white/10`}
      >
        <TrashIcon className="size-3.5" />
        Delete
      </button>
    </div>
  );
}
