import { DEFAULT_ROOM_ID, OpName, type Room } from '@whisper/protocol';
import { isOpRow } from '../db/outbox.table';
import type { OutboxItem } from '../db/whisper-db';
import { failureText } from './failure-text';
import { applyOp, createdRoom, placeholderGeneral } from './room-state';

/**
 * C1, X4: the rooms as the user sees them: the server's state with this
 * device's unconfirmed ops laid over it, in enqueue order, by the same
 * functions that fold an acked op. Nothing to undo: an op that is acked
 * leaves the outbox as its effect enters the `rooms` table (one
 * transaction), and one that is refused stops being laid over, so the change
 * is undone on screen by itself. A refused room creation stays, failed, with
 * its reason, for Retry or Delete.
 */

export type RoomState = 'synced' | 'pending' | 'failed';

export interface LocalRoom {
  room: Room;
  /** pending: created on this device and not confirmed yet; failed: its creation was refused. */
  state: RoomState;
  failure: { clientId: string; reason: string } | null;
}

export function overlayRooms(rooms: Room[], outbox: OutboxItem[], me: string | undefined): Map<string, LocalRoom> {
  const local = new Map<string, LocalRoom>(rooms.map((room) => [room.id, { room, state: 'synced', failure: null }]));
  // Everyone is in general, from the first start on, offline too.
  if (!local.has(DEFAULT_ROOM_ID)) local.set(DEFAULT_ROOM_ID, { room: placeholderGeneral(), state: 'synced', failure: null });
  for (const row of outbox) {
    if (!isOpRow(row)) continue;
    const current = local.get(row.room_id);
    const author = row.user_id ?? me ?? null;
    if (row.status === 'failed') {
      if (row.op.op === OpName.RoomCreate && !current) {
        const { op } = row;
        const room = createdRoom(op.room_id, op.kind, op.name, author, op.user_ids, row.created_at);
        local.set(row.room_id, { room, state: 'failed', failure: { clientId: row.client_id, reason: failureText(row) ?? '' } });
      }
      continue;
    }
    const next = applyOp(current?.room ?? row.room, row.op, author, row.created_at);
    if (next === null) local.delete(row.room_id);
    else if (next !== undefined) local.set(row.room_id, { room: next, state: current?.state ?? 'pending', failure: current?.failure ?? null });
  }
  return local;
}
