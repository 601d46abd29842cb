import { OpName } from '@whisper/protocol';
import { metaTable } from '../db/meta.table';
import { outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { MetaKey, type WhisperDatabase } from '../db/whisper-db';
import type { ChatStore } from './chat-store';

/**
 * N1: mutes or unmutes a room for this user, offline too: a `mute` op in the
 * outbox, laid over the room at once (room-state.ts) and sent with
 * everything else (P11). Coalesced like `read` (read-markers-store.ts): a
 * mute still waiting in the outbox (not yet planned onto a socket) takes the
 * new choice instead of a second op following it, and is dropped when the
 * choice is back to what the server has. Imported by the room details only,
 * so it stays out of the page's first JavaScript.
 */
export async function setRoomMuted(db: WhisperDatabase, store: Pick<ChatStore, 'enqueueOp'>, roomId: string, muted: boolean): Promise<void> {
  const coalesced = await db.transaction('rw', db.outbox, db.meta, db.rooms, async () => {
    const flushedUpTo = await metaTable.get<string>(db, MetaKey.flushedUpTo);
    const rows = await outboxTable.ofRoom(db, roomId);
    const waiting = rows.find(
      (row) => row.kind === 'op' && row.op?.op === OpName.Mute && row.status === 'pending' && (flushedUpTo === undefined || row.client_id > flushedUpTo),
    );
    if (!waiting) return false;
    if (((await roomsTable.get(db, roomId))?.muted ?? false) === muted) await outboxTable.delete(db, waiting.client_id);
    else await outboxTable.update(db, waiting.client_id, { op: { op: OpName.Mute, room_id: roomId, muted } });
    return true;
  });
  if (!coalesced) await store.enqueueOp({ op: OpName.Mute, room_id: roomId, muted });
}
