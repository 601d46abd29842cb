import { eventsTable } from '../db/events.table';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import { roomsTable } from '../db/rooms.table';
import type { WhisperDatabase } from '../db/whisper-db';

/**
 * Every table a write about a room's log may touch. Writes that take frames
 * from the server (and acks, which fold ops into rooms) use this one scope,
 * so IndexedDB runs them strictly in the order they were started: a room
 * dropped by one frame is never brought back by a write started before it.
 * `files` is in it because an ack drops the files of the messages it acks (F2).
 */
export const logScope = (db: WhisperDatabase) => [db.messages, db.events, db.rooms, db.users, db.outbox, db.meta, db.files];

/**
 * The room is no longer the user's (left, removed, deleted, or missing from
 * a `rooms` frame): its row, cached log and positions go. Call inside a
 * transaction over logScope. Its outbox rows stay: sent, they are refused
 * (unknown_room) and shown as failed, never lost silently.
 */
export async function forgetRoom(db: WhisperDatabase, roomId: string): Promise<void> {
  await Promise.all([roomsTable.delete(db, roomId), messagesTable.deleteRoom(db, roomId), eventsTable.deleteRoom(db, roomId), metaTable.forgetRoom(db, roomId)]);
}
