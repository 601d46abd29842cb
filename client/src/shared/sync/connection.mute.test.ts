import { describe, expect, it } from 'vitest';
import { OpName } from '@whisper/protocol';
import { GENERAL, ME, createHarness, opsSent, room, settle, setUpHarnesses } from './connection.harness';
import { setRoomMuted } from './mute-store';
import { readRoomList } from './room-list';
import { readRoomView } from './room-view';
import { timelineEntries } from './timeline-entries';

setUpHarnesses();

const TRIP = 'trip';
/** A mute makes no log entry: its ack names the room's last seq. */
const ack = (clientIds: string[]) => ({ type: 'message_ids' as const, status: 'success' as const, message_ids: clientIds.map((_, i) => `01JD3Q90C3V1MGN2XK0S6Y7H${String(i).padStart(2, '0')}`), client_ids: clientIds, seqs: clientIds.map(() => 0) });
const mutedInList = async (h: { db: Parameters<typeof readRoomList>[0] }) =>
  Object.fromEntries((await readRoomList(h.db)).items.map((item) => [item.id, item.muted === true]));

describe('connection machine: muting a room (N1)', () => {
  it('[N1] a mute queued offline shows at once, is coalesced while it waits, flushed as one `mute` op, and kept once acked', async () => {
    const h = await createHarness();
    await h.store.setIdentity({ user_id: ME, token: 't' });
    await h.store.storeRooms({ data: [room(GENERAL), room(TRIP, { kind: 'group', members: [ME] })], users: [] });

    // Offline: muted at once (local echo), in the list and the room.
    await setRoomMuted(h.db, h.store, TRIP, true);
    expect(await mutedInList(h)).toEqual({ [GENERAL]: false, [TRIP]: true });
    expect((await readRoomView(h.db, TRIP)).view?.muted).toBe(true);
    // A setting, not something said in the room: no pending notice in its timeline.
    const rows = await h.db.outbox.toArray();
    expect(timelineEntries([], [], rows, { kind: 'group', me: ME, users: new Map() } as never)).toEqual([]);

    // Unmuted and muted again before it left: one row, the last choice.
    await setRoomMuted(h.db, h.store, TRIP, false);
    expect(await mutedInList(h)).toEqual({ [GENERAL]: false, [TRIP]: false });
    expect(await h.db.outbox.count()).toBe(0);
    await setRoomMuted(h.db, h.store, GENERAL, true);
    await setRoomMuted(h.db, h.store, GENERAL, false);
    await setRoomMuted(h.db, h.store, TRIP, true);
    await setRoomMuted(h.db, h.store, TRIP, true);
    const queued = await h.db.outbox.orderBy('client_id').toArray();
    expect(queued.map((row) => row.op)).toEqual([{ op: OpName.Mute, room_id: TRIP, muted: true }]);

    await h.goLive({ rooms: [room(GENERAL), room(TRIP, { kind: 'group', members: [ME] })] });
    const socket = h.latest();
    expect(opsSent(socket)).toEqual([{ client_id: queued[0].client_id, op: OpName.Mute, room_id: TRIP, muted: true }]);
    // The rooms frame (older than the op) does not undo it on screen.
    expect(await mutedInList(h)).toEqual({ [GENERAL]: false, [TRIP]: true });

    socket.serve(ack([queued[0].client_id]));
    await settle();
    expect(await h.db.outbox.count()).toBe(0);
    expect((await h.db.rooms.get(TRIP))?.muted).toBe(true);
    expect(await mutedInList(h)).toEqual({ [GENERAL]: false, [TRIP]: true });
  });

  it('[N1] the server\'s word (a `rooms` frame from another device\'s mute) is stored and shown', async () => {
    const h = await createHarness();
    await h.goLive({ rooms: [room(GENERAL), room(TRIP, { kind: 'group', members: [ME], muted: true })] });
    await settle();
    expect(await mutedInList(h)).toEqual({ [GENERAL]: false, [TRIP]: true });
  });
});
