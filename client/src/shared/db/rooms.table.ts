import type { Room } from '@whisper/protocol';
import type { WhisperDatabase } from './whisper-db';

/** The `rooms` table: the server's state of the user's rooms (M6). */
export const roomsTable = {
  all: (db: WhisperDatabase) => db.rooms.toArray(),
  get: (db: WhisperDatabase, roomId: string) => db.rooms.get(roomId),
  bulkGet: (db: WhisperDatabase, roomIds: string[]) => db.rooms.bulkGet(roomIds),
  ids: (db: WhisperDatabase) => db.rooms.toCollection().primaryKeys(),
  put: (db: WhisperDatabase, room: Room) => db.rooms.put(room),
  bulkPut: (db: WhisperDatabase, rooms: Room[]) => db.rooms.bulkPut(rooms),
  delete: (db: WhisperDatabase, roomId: string) => db.rooms.delete(roomId),
  /** Every room: another user takes the device (A2, A4). */
  clear: (db: WhisperDatabase) => db.rooms.clear(),
};
