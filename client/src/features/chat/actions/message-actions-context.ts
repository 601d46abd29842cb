import { createContext, useContext } from 'react';
import type { QuoteView, TimelineItem } from '../../../shared/sync/timeline';

/**
 * What a message's bubble can do to it (X1–X4), provided by the room's page
 * so that the virtualized list does not pass a dozen callbacks down to every
 * row. The value is stable for the life of the page (see
 * use-message-actions.ts); which message is being edited changes often and
 * has a context of its own.
 */
export interface MessageActions {
  /** X2: the author may edit; the author or the room's owner may delete. */
  canEdit(item: TimelineItem): boolean;
  canDelete(item: TimelineItem): boolean;
  /** Opens the menu's code ahead of a tap (hover, focus, touch): the menu then opens at once. */
  preloadMenu(): void;
  reply(item: TimelineItem): void;
  startEdit(item: TimelineItem): void;
  saveEdit(item: TimelineItem, content: string): void;
  cancelEdit(): void;
  /** Asks first, then deletes. */
  remove(item: TimelineItem): void;
  react(item: TimelineItem, emoji: string, on: boolean): void;
  /** The full emoji picker, for this message. */
  pickEmoji(item: TimelineItem): void;
  copy(item: TimelineItem): void;
  /** X1: shows the quoted message, loading history around it when it is not cached. */
  jumpTo(quote: QuoteView): void;
  /** C6: a failed message or refused action: again (same client_id), or dropped. */
  retry(clientId: string): void;
  discard(clientId: string): void;
}

export const MessageActionsContext = createContext<MessageActions | null>(null);
/** The key of the message being edited in place, if any. */
export const EditingKeyContext = createContext<string | null>(null);

export function useMessageActions(): MessageActions | null {
  return useContext(MessageActionsContext);
}

export function useIsEditing(key: string): boolean {
  return useContext(EditingKeyContext) === key;
}

/** The six quick reactions, in the menu's order. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;
