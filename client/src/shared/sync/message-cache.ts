import { REPLY_EXCERPT_LENGTH, type MessageEvent } from '@whisper/protocol';
import { messagesTable } from '../db/messages.table';
import { roomsTable } from '../db/rooms.table';
import type { CachedMessage, LocalQuote, WhisperDatabase } from '../db/whisper-db';
import type { MessageTarget } from './message-state';
import { applyMessageEvent } from './message-state';
import { withPreviewOf } from './room-state';

/**
 * The cached copy of a message that an action names (X4, E5), changed in
 * place: by the server's log entries, and by this device's acked ops (so
 * nothing flickers between the ack and the entry, which then changes
 * nothing). Call inside a transaction over logScope. A message this device
 * has not cached (older than its cache) is left alone: history returns it as
 * it stands now (E4).
 */

async function cachedTarget(db: WhisperDatabase, target: MessageTarget, me: string | undefined): Promise<CachedMessage | undefined> {
  if (target.message_id !== undefined) return messagesTable.get(db, target.message_id);
  if (target.target_client_id !== undefined && me !== undefined) return messagesTable.byClientId(db, me, target.target_client_id);
  return undefined;
}

/** Changes the cached message `target` names with `change`, and the room's preview when it is the newest message. */
export async function changeCached(
  db: WhisperDatabase,
  target: MessageTarget,
  me: string | undefined,
  change: (message: CachedMessage) => CachedMessage,
): Promise<void> {
  const message = await cachedTarget(db, target, me);
  if (!message) return;
  const next = change(message);
  if (next === message) return;
  await messagesTable.put(db, next);
  const room = await roomsTable.get(db, next.room_id);
  if (room) {
    const previewed = withPreviewOf(room, next);
    if (previewed !== room) await roomsTable.put(db, previewed);
  }
}

/** E5: the server's entries about messages, in seq order. */
export async function applyMessageEvents(db: WhisperDatabase, events: MessageEvent[], me: string | undefined): Promise<void> {
  for (const event of events) await changeCached(db, { message_id: event.message_id }, me, (message) => applyMessageEvent(message, event));
}

/** X1: a reply's quote as the server would give it, from what this device knows of the target (undefined: not known yet). */
export async function quoteFor(db: WhisperDatabase, quote: LocalQuote, me: string | undefined): Promise<CachedMessage['reply_to']> {
  const target = await cachedTarget(db, quote.id !== null ? { message_id: quote.id } : { target_client_id: quote.client_id ?? undefined }, me);
  if (!target) return quote.id !== null && quote.seq !== null ? { id: quote.id, user_id: quote.user_id, seq: quote.seq, excerpt: quote.excerpt } : undefined;
  return { id: target.id, user_id: target.user_id, seq: target.seq, excerpt: target.deleted ? '' : target.content.slice(0, REPLY_EXCERPT_LENGTH), ...(target.deleted ? { deleted: true as const } : {}) };
}
