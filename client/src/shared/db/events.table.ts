import Dexie from 'dexie';
import type { LogEvent } from '@whisper/protocol';
import type { WhisperDatabase } from './whisper-db';

const inRoom = (db: WhisperDatabase, roomId: string, fromSeq: number = Dexie.minKey as number) =>
  db.events.where('[room_id+seq]').between([roomId, fromSeq], [roomId, Dexie.maxKey], true, true);

/** The `events` table: log entries that are not messages (E2), per room in seq order. */
export const eventsTable = {
  bulkPut: (db: WhisperDatabase, events: LogEvent[]) => db.events.bulkPut(events),
  /** A room's events from `fromSeq` on, in seq order. */
  from: (db: WhisperDatabase, roomId: string, fromSeq: number) => inRoom(db, roomId, fromSeq).toArray(),
  async oldestSeq(db: WhisperDatabase, roomId: string): Promise<number | undefined> {
    return (await inRoom(db, roomId).first())?.seq;
  },
  deleteRoom: (db: WhisperDatabase, roomId: string) => inRoom(db, roomId).delete(),
  /** Every room's events: another user takes the device (A2, A4). */
  clear: (db: WhisperDatabase) => db.events.clear(),
};
