import { OpName, RoomKind } from '../protocol/index.js';
import { refuse, type OpHandlers } from '../rooms/op-runner.js';
import { readMarkers } from './read-markers-repository.js';
import type { ReceiptsRelay } from './receipts-relay.js';

/**
 * L3: the `read` op. Moves the user's marker to `seq` (a seq past the room's
 * end counts as its end) unless it stands there or further already: only
 * ever forward, so applying it twice is applying it once (E3 by nature; the
 * runner keeps no applied_ops row for it). No log entry and no room lock:
 * reading changes nothing anyone else's log shows. The ack names the marker.
 */
export function readOps(relay: ReceiptsRelay): OpHandlers {
  return {
    [OpName.Read]: async (tx, op) => {
      const room = await readMarkers.visibleRoom(tx.client, tx.userId, op.room_id);
      if (!room) throw refuse.unknownRoom(op.room_id);
      const seq = Math.min(op.seq, Number(room.last_seq));
      const moved = await readMarkers.advanceRead(tx.client, tx.userId, op.room_id, seq);
      if (!moved) return tx.noEntry(await readMarkers.readSeq(tx.client, tx.userId, op.room_id));
      tx.afterCommit(() => {
        relay.announce([{ ...moved, room_id: op.room_id, shared: room.kind !== RoomKind.Public }]);
        relay.readMoved(tx.userId, op.room_id, moved.read_seq);
      });
      return tx.noEntry(moved.read_seq);
    },
  };
}
