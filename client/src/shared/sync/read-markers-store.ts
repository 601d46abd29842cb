import { OpName, type Receipt, type ReceiptsFrame, type Room } from '@whisper/protocol';
import { metaTable } from '../db/meta.table';
import { isReadRow, outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { MetaKey, type WhisperDatabase } from '../db/whisper-db';
import { pendingOp } from './outbox-store';

/** Markers merged: each person's only move forward, whatever order frames arrive in. */
export function mergeReceipts(known: readonly Receipt[], heard: readonly Receipt[]): Receipt[] {
  const byUser = new Map(known.map((receipt) => [receipt.user_id, receipt]));
  for (const receipt of heard) {
    const before = byUser.get(receipt.user_id);
    byUser.set(receipt.user_id, {
      user_id: receipt.user_id,
      delivered_seq: Math.max(before?.delivered_seq ?? 0, receipt.delivered_seq),
      read_seq: Math.max(before?.read_seq ?? 0, receipt.read_seq),
    });
  }
  return [...byUser.values()];
}

/**
 * L3, L4 on the device. The user's read marker per room is MetaKey.seenSeq:
 * moved here when the newest messages are on screen, and by the server's
 * word of this user's other devices (a `receipts` frame, the `rooms` frame's
 * read_seq); the unread counts are measured from it. Moving it queues a
 * `read` op in the outbox, coalesced: one not yet on its way takes the new
 * seq instead of a second op following it (only the highest matters).
 */
export function createReadMarkersStore(db: WhisperDatabase, nextClientId: () => string) {
  return {
    /** L3: the user has seen the room up to `seq`; false when the marker stood there already. */
    async markRead(roomId: string, seq: number): Promise<boolean> {
      return db.transaction('rw', db.outbox, db.meta, async () => {
        const seen = (await metaTable.get<number>(db, MetaKey.seenSeq(roomId))) ?? 0;
        if (seq <= seen) return false;
        await metaTable.set(db, MetaKey.seenSeq(roomId), seq);
        // Not yet planned onto a socket (MetaKey.flushedUpTo, see mayHaveLeft): it can still take the new seq.
        const flushedUpTo = await metaTable.get<string>(db, MetaKey.flushedUpTo);
        const rows = await outboxTable.ofRoom(db, roomId);
        const waiting = rows.find((row) => isReadRow(row) && row.status === 'pending' && (flushedUpTo === undefined || row.client_id > flushedUpTo));
        if (waiting) {
          await outboxTable.update(db, waiting.client_id, { op: { op: OpName.Read, room_id: roomId, seq } });
          return true;
        }
        const op = pendingOp(nextClientId(), { op: OpName.Read, room_id: roomId, seq }, new Date().toISOString(), (await metaTable.myUserId(db)) ?? null);
        await outboxTable.add(db, op);
        return true;
      });
    },

    /**
     * L3, L4: markers that moved on the server. The user's own (from another
     * device) move the read marker here too; everyone else's are kept on the
     * room row for the ticks beside the user's messages.
     */
    async storeReceipts(frame: ReceiptsFrame, me: string | undefined): Promise<void> {
      await db.transaction('rw', db.rooms, db.meta, async () => {
        const room = await roomsTable.get(db, frame.room_id);
        if (!room) return;
        const own = frame.data.find((receipt) => receipt.user_id === me);
        const others = frame.data.filter((receipt) => receipt.user_id !== me);
        if (own) {
          const seen = (await metaTable.get<number>(db, MetaKey.seenSeq(room.id))) ?? 0;
          if (own.read_seq > seen) await metaTable.set(db, MetaKey.seenSeq(room.id), own.read_seq);
        }
        // The room row's read_seq stays the one its `unread` was counted from (the `rooms` frame's).
        if (others.length > 0) await roomsTable.put(db, { ...room, receipts: mergeReceipts(room.receipts ?? [], others) } satisfies Room);
      });
    },

    /** L4: this device's catch-up cursors of these rooms, read after every write before it (the store writer runs it in order). */
    async storedCursors(roomIds: readonly string[]): Promise<Record<string, number>> {
      const cursors = await metaTable.byPrefix<number>(db, MetaKey.syncedSeq(''));
      return Object.fromEntries(roomIds.flatMap((roomId) => (cursors.has(roomId) ? [[roomId, cursors.get(roomId)!]] : [])));
    },
  };
}
