import Dexie from 'dexie';
import type { CachedMessage, WhisperDatabase } from './whisper-db';

const inRoom = (db: WhisperDatabase, roomId: string, fromSeq: number = Dexie.minKey as number) =>
  db.messages.where('[room_id+seq]').between([roomId, fromSeq], [roomId, Dexie.maxKey], true, true);

/** The `messages` table: the history cache (C8), read per room in seq order. */
export const messagesTable = {
  bulkPut: (db: WhisperDatabase, messages: CachedMessage[]) => db.messages.bulkPut(messages),
  bulkAdd: (db: WhisperDatabase, messages: CachedMessage[]) => db.messages.bulkAdd(messages),
  bulkGet: (db: WhisperDatabase, ids: string[]) => db.messages.bulkGet(ids),
  get: (db: WhisperDatabase, id: string) => db.messages.get(id),
  put: (db: WhisperDatabase, message: CachedMessage) => db.messages.put(message),
  /** The author's own stored message by the client_id it was sent with (client_ids are unique per author, S3). */
  byClientId: (db: WhisperDatabase, userId: string, clientId: string) =>
    db.messages
      .where('client_id')
      .equals(clientId)
      .filter((message) => message.user_id === userId)
      .first(),

  /** The newest `limit` messages of a room, oldest first. */
  async newest(db: WhisperDatabase, roomId: string, limit: number): Promise<CachedMessage[]> {
    return (await inRoom(db, roomId).reverse().limit(limit).toArray()).reverse();
  },
  /** Every cached message of a room, in seq order. */
  all: (db: WhisperDatabase, roomId: string) => inRoom(db, roomId).toArray(),
  count: (db: WhisperDatabase, roomId: string) => inRoom(db, roomId).count(),
  async oldestSeq(db: WhisperDatabase, roomId: string): Promise<number | undefined> {
    return (await inRoom(db, roomId).first())?.seq;
  },
  /** M6: messages by others after `seq` (what the user has not been shown). */
  countFromOthersAfter: (db: WhisperDatabase, roomId: string, seq: number, me: string | undefined) =>
    inRoom(db, roomId, seq + 1)
      .filter((message) => message.user_id !== me && !message.deleted)
      .count(),
  deleteRoom: (db: WhisperDatabase, roomId: string) => inRoom(db, roomId).delete(),
  /** The whole history cache: another user takes the device (A2, A4). */
  clear: (db: WhisperDatabase) => db.messages.clear(),
};
