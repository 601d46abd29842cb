import { REPLY_EXCERPT_LENGTH } from '@whisper/protocol';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { SyncEngine } from '../../../shared/sync/sync-engine';
import type { MessageRef } from '../../../shared/sync/message-actions-store';
import type { ReplyDraft } from '../../../shared/sync/outbox-store';
import type { QuoteView, TimelineEntry, TimelineItem } from '../../../shared/sync/timeline';
import type { MessageActions } from './message-actions-context';
import { loadMessageActionsMenu } from './message-actions-trigger';
import type { MessageDialog } from './message-dialogs';

/** What the page needs to know of the room to offer the actions (X2: who may delete). */
export interface ActionsRoom {
  isOwner: boolean;
  everyone: boolean;
  kind: string;
}

export interface MessageActionsState {
  actions: MessageActions;
  editingKey: string | null;
  /** X1: the message the composer's next send replies to. */
  replyTo: TimelineItem | null;
  cancelReply: () => void;
  /** The reply as the outbox keeps it, for the send. */
  replyDraft: () => ReplyDraft | undefined;
  /** Up arrow in an empty composer (desktop): edit the last own message. */
  editLast: () => boolean;
  dialog: MessageDialog | null;
  closeDialog: () => void;
  /** X1: the message to bring into view (a new object per request). */
  focus: { key: string } | null;
  /** Q3: brings a row into view and flashes it (a search hit). */
  setFocus: (focus: { key: string }) => void;
}

const refOf = (roomId: string, item: TimelineItem): MessageRef => ({ roomId, id: item.id, clientId: item.clientId, own: item.own });

/**
 * The room page's message actions (X1–X4): the callbacks every bubble gets
 * through context (stable: they read the latest room and timeline from
 * refs), and the page state they drive: the reply being written, the
 * message edited in place, the open dialog, the message to jump to.
 * `showOlder` widens the timeline until it holds `seq` (loading history
 * around a quoted message that is not cached).
 */
export function useMessageActionsState(
  engine: SyncEngine,
  roomId: string,
  room: ActionsRoom | null | undefined,
  items: readonly TimelineEntry[],
  showOlder: (seq: number) => Promise<void>,
  focusComposer: () => void,
): MessageActionsState {
  const [editingKey, setEditingKey] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<TimelineItem | null>(null);
  const [dialog, setDialog] = useState<MessageDialog | null>(null);
  const [focus, setFocus] = useState<{ key: string } | null>(null);
  const latest = useRef({ room, items, showOlder, focusComposer });
  latest.current = { room, items, showOlder, focusComposer };

  const actions = useMemo<MessageActions>(() => {
    const ownerHere = () => {
      const current = latest.current.room;
      return current !== null && current !== undefined && current.isOwner && current.kind !== 'dm' && !current.everyone;
    };
    const findQuoted = (quote: QuoteView) =>
      latest.current.items.find(
        (entry): entry is TimelineItem => entry.kind === 'message' && ((quote.id !== null && entry.id === quote.id) || (quote.clientId !== null && entry.clientId === quote.clientId)),
      );
    return {
      canEdit: (item) => item.own && !item.deleted,
      canDelete: (item) => !item.deleted && (item.own || ownerHere()),
      preloadMenu: () => void loadMessageActionsMenu().catch(() => undefined),
      reply: (item) => {
        setReplyTo(item);
        latest.current.focusComposer();
      },
      startEdit: (item) => setEditingKey(item.key),
      saveEdit: (item, content) => {
        setEditingKey(null);
        void engine.editMessage(refOf(roomId, item), content);
      },
      cancelEdit: () => setEditingKey(null),
      remove: (item) => setDialog({ kind: 'delete', everyone: !item.own, onConfirm: () => void engine.deleteMessage(refOf(roomId, item)) }),
      react: (item, emoji, on) => void engine.setReaction(refOf(roomId, item), emoji, on),
      pickEmoji: (item) =>
        setDialog({
          kind: 'emoji',
          onPick: (emoji) => {
            const mine = item.reactions.some((reaction) => reaction.emoji === emoji && reaction.mine);
            if (!mine) void engine.setReaction(refOf(roomId, item), emoji, true);
          },
        }),
      copy: (item) => void navigator.clipboard?.writeText(item.content).catch(() => undefined),
      jumpTo: (quote) => {
        const found = findQuoted(quote);
        if (found) {
          setFocus({ key: found.key });
          return;
        }
        if (quote.seq === null) return;
        void latest.current.showOlder(quote.seq).then(() => {
          const loaded = findQuoted(quote);
          if (loaded) setFocus({ key: loaded.key });
        });
      },
      retry: (clientId) => void engine.retry(clientId),
      discard: (clientId) => void engine.remove(clientId),
    };
  }, [engine, roomId]);

  const replyDraft = useCallback((): ReplyDraft | undefined => {
    if (!replyTo) return undefined;
    const target = replyTo.id ?? replyTo.clientId;
    if (target === null || replyTo.userId === null) return undefined;
    return {
      reply_to: target,
      quote: { id: replyTo.id, client_id: replyTo.clientId, user_id: replyTo.userId, seq: replyTo.seq, excerpt: replyTo.content.slice(0, REPLY_EXCERPT_LENGTH) },
    };
  }, [replyTo]);

  const editLast = useCallback(() => {
    const items = latest.current.items;
    for (let i = items.length - 1; i >= 0; i--) {
      const entry = items[i];
      if (entry.kind === 'message' && entry.own && !entry.deleted) {
        setEditingKey(entry.key);
        return true;
      }
    }
    return false;
  }, []);

  return {
    actions,
    editingKey,
    replyTo,
    cancelReply: useCallback(() => setReplyTo(null), []),
    replyDraft,
    editLast,
    dialog,
    closeDialog: useCallback(() => setDialog(null), []),
    focus,
    setFocus,
  };
}
