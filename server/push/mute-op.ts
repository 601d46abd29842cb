import { OpName } from '../protocol/index.js';
import { refuse, type OpHandlers } from '../rooms/op-runner.js';
import { readMarkers } from '../receipts/read-markers-repository.js';
import type { PushRepository } from './push-repository.js';

/**
 * N1: the `mute` op. The user's own setting, so no log entry and no room
 * lock: it changes nothing anyone else sees. Recorded like other ops
 * (applied_ops, E3) rather than idempotent by nature: a mute resent after a
 * later unmute must not mute again. Only a room the user is in (M3); its
 * other devices learn it from the `muted` field of their next `rooms` frame.
 */
export function muteOps(repository: PushRepository): OpHandlers {
  return {
    [OpName.Mute]: async (tx, op) => {
      const room = await readMarkers.visibleRoom(tx.client, tx.userId, op.room_id);
      if (!room) throw refuse.unknownRoom(op.room_id);
      await repository.setMuted(tx.client, tx.userId, op.room_id, op.muted);
      return tx.noEntry(Number(room.last_seq));
    },
  };
}
