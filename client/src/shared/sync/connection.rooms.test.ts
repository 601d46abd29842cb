import { describe, expect, it } from 'vitest';
import { RoomKind, type Room } from '@whisper/protocol';
import { MetaKey } from '../db/whisper-db';
import {
  GENERAL,
  ME,
  OTHER,
  THIRD,
  createHarness,
  memberEvent,
  message,
  messagesSent,
  opsSent,
  room,
  roomEvent,
  roomSyncsSent,
  roundsSent,
  settle,
  untilRetry,
  setUpHarnesses,
  type Harness,
} from './connection.harness';
import { switchIdentity } from './account';
import { createRoomActions } from './room-actions';
import { readRoomList } from './room-list';
import { readRoomView } from './room-view';

setUpHarnesses();

const GROUP = '01jd3r2k8m4q6v9x1z3b5n7p9s';
const GONE = '01jd3r2k8m4q6v9x1z3b5n7p9t';
const NEW = '01jd3r2k8m4q6v9x1z3b5n7p9v';

const cursors = (h: Harness) => h.actor.getSnapshot().context.cursors;
const live = (h: Harness) => h.actor.getSnapshot().hasTag('live');
const ack = (clientIds: string[], seqs: number[]) => ({ type: 'message_ids' as const, status: 'success' as const, message_ids: clientIds.map((_, i) => `01JD3Q90C3V1MGN2XK0S6Y7H${String(i).padStart(2, '0')}`), client_ids: clientIds, seqs });

/**
 * A device that had `stored` (general beside it) up to message `seq` of it, back
 * online: its socket has said hello and the round is out, unanswered.
 */
async function returning(h: Harness, stored: Room, seq: number) {
  await h.store.setIdentity({ user_id: ME, token: 't' });
  await h.store.storeRooms({ data: [room(GENERAL), stored], users: [] });
  await h.store.storeMessages([message(stored.id, seq)], { roomId: stored.id, syncedSeq: seq });
  const socket = h.latest();
  socket.emit({ type: 'SOCKET.OPEN' });
  socket.serve({ type: 'hello', user_id: ME, token: 't' });
  await settle();
  return socket;
}

describe('connection machine: many rooms', () => {
  it('[P11][C1][C4] room ops queued offline are flushed in enqueue order with the messages that follow them', async () => {
    const h = await createHarness();
    const actions = createRoomActions(h.store);
    await h.store.setIdentity({ user_id: ME, token: 't' });
    // Offline: a new group, a message to it at once, one elsewhere, people added, another message.
    const roomId = await actions.createRoom({ kind: RoomKind.Group, name: ' Trip ', userIds: [OTHER] });
    await actions.send(roomId, 'first in the new room');
    await actions.send(GENERAL, 'meanwhile in general');
    await actions.addMembers(roomId, [THIRD]);
    await actions.send(roomId, 'after the add');
    const queued = await h.db.outbox.orderBy('client_id').toArray();
    await h.goLive();
    const socket = h.latest();
    expect(socket.sent.map((frame) => frame.type)).toEqual(['sync', 'ops', 'messages', 'ops', 'messages']);
    expect(opsSent(socket)).toEqual([
      { client_id: queued[0].client_id, op: 'room.create', room_id: roomId, name: 'Trip', kind: 'group', user_ids: [OTHER] },
      { client_id: queued[3].client_id, op: 'member.add', room_id: roomId, user_ids: [THIRD] },
    ]);
    expect(messagesSent(socket).map((m) => [m.room_id, m.content])).toEqual([
      [roomId, 'first in the new room'],
      [GENERAL, 'meanwhile in general'],
      [roomId, 'after the add'],
    ]);
    // Acks fold the ops into the room: confirmed, with the people added.
    socket.serve(ack([queued[0].client_id, queued[3].client_id], [2, 4]));
    await settle();
    const view = (await readRoomView(h.db, roomId)).view;
    expect(view).toMatchObject({ state: 'synced', roomName: 'Trip', ownerId: ME, memberCount: 3 });
    expect(view?.members.map((m) => m.id)).toEqual([ME, OTHER, THIRD]);
  });

  it('[M5][P6] one sync names every room; live only after every room of the rooms frame is synced; a room missing from the rooms frame is dropped with its messages; a new room gets its newest page and nothing unread', async () => {
    const h = await createHarness();
    await h.store.setIdentity({ user_id: ME, token: 't' });
    await h.store.storeRooms({ data: [room(GENERAL, { last_seq: 5 }), room(GONE, { kind: RoomKind.Group, last_seq: 3 })], users: [] });
    await h.store.storeMessages([message(GENERAL, 5)], { roomId: GENERAL, syncedSeq: 5 });
    await h.store.storeMessages([message(GONE, 3)], { roomId: GONE, syncedSeq: 3 });
    const waiting = await h.store.enqueue(GENERAL, 'queued offline');
    const socket = h.latest();
    socket.emit({ type: 'SOCKET.OPEN' });
    socket.serve({ type: 'hello', user_id: ME, token: 't' });
    await settle();
    expect(roundsSent(socket)).toEqual([[{ room_id: GONE, after_seq: 3 }, { room_id: GENERAL, after_seq: 5 }]]);

    socket.serve({ type: 'rooms', data: [room(GENERAL, { last_seq: 6 }), room(NEW, { kind: RoomKind.Group, last_seq: 60 })], users: [] });
    socket.serve({ type: 'messages', data: [message(GENERAL, 6)] });
    socket.serve({ type: 'synced', room_id: GENERAL, seq: 6 });
    await settle();
    // NEW has not had its synced: not live, nothing flushed.
    expect(live(h)).toBe(false);
    expect(messagesSent(socket)).toEqual([]);

    socket.serve({ type: 'messages', data: Array.from({ length: 50 }, (_, i) => message(NEW, 11 + i)) });
    socket.serve({ type: 'synced', room_id: NEW, seq: 60, has_older: true });
    await settle();
    expect(live(h)).toBe(true);
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual([waiting.client_id]);

    expect(await h.db.messages.where('room_id').equals(GONE).count()).toBe(0);
    expect(await h.db.rooms.get(GONE)).toBeUndefined();
    expect(await h.store.syncedSeq(GONE)).toBeUndefined();
    expect(cursors(h)).toEqual({ [GENERAL]: 6, [NEW]: 60 });
    expect(await h.store.syncedSeq(NEW)).toBe(60);
    expect(await h.store.hasOlder(NEW)).toBe(true);
    const list = (await readRoomList(h.db)).items;
    expect(list.map((item) => item.id).sort()).toEqual([GENERAL, NEW].sort());
    expect(list.find((item) => item.id === NEW)?.unread).toBe(0);
  });

  it('[P6][M5] cursors are kept per room, and the next round names each room from its own', async () => {
    const h = await createHarness();
    const rooms = [room(GENERAL, { last_seq: 7 }), room(GROUP, { kind: RoomKind.Group, last_seq: 2 })];
    await h.goLive({ rooms });
    expect(cursors(h)).toEqual({ [GENERAL]: 7, [GROUP]: 2 });
    h.latest().serve({ type: 'messages', data: [message(GROUP, 3), message(GENERAL, 8)] });
    await settle();
    expect(await h.store.cursors()).toEqual({ [GENERAL]: 8, [GROUP]: 3 });
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await untilRetry(h);
    await h.goLive({ rooms });
    expect(roundsSent(h.latest())).toEqual([[{ room_id: GROUP, after_seq: 3 }, { room_id: GENERAL, after_seq: 8 }]]);
  });

  it('[E1][E2] contiguity per room counts messages and events; a gap in one room re-syncs that room only', async () => {
    const h = await createHarness();
    await h.goLive({ rooms: [room(GENERAL, { last_seq: 2 }), room(GROUP, { kind: RoomKind.Group, last_seq: 4, members: [ME, OTHER], member_count: 2 })] });
    const socket = h.latest();
    socket.serve({ type: 'events', data: [memberEvent(GROUP, 5, 'added', [THIRD])] });
    socket.serve({ type: 'messages', data: [message(GROUP, 6)] });
    socket.serve({ type: 'messages', data: [message(GENERAL, 3)] });
    await settle();
    expect(cursors(h)).toEqual({ [GENERAL]: 3, [GROUP]: 6 });
    expect((await h.db.rooms.get(GROUP))?.members).toEqual([ME, OTHER, THIRD]);

    socket.serve({ type: 'messages', data: [message(GROUP, 9)] });
    socket.serve({ type: 'messages', data: [message(GENERAL, 4)] });
    await settle();
    expect(roomSyncsSent(socket)).toEqual([{ room_id: GROUP, after_seq: 6 }]);
    expect(roundsSent(socket)).toHaveLength(1);
    expect(await h.store.cursors()).toEqual({ [GENERAL]: 4, [GROUP]: 6 });
    // The catch-up fills the hole.
    socket.serve({ type: 'events', data: [roomEvent(GROUP, 7, { name: 'Trip 2' })] });
    socket.serve({ type: 'messages', data: [message(GROUP, 8), message(GROUP, 9)] });
    socket.serve({ type: 'synced', room_id: GROUP, seq: 9 });
    await settle();
    expect(await h.store.cursors()).toEqual({ [GENERAL]: 4, [GROUP]: 9 });
    expect((await h.db.rooms.get(GROUP))?.name).toBe('Trip 2');
  });

  it('[M4] being removed drops the room; being added while live starts a sync round', async () => {
    const h = await createHarness();
    const group = room(GROUP, { kind: RoomKind.Group, last_seq: 4, members: [ME, OTHER], member_count: 2, owner_id: OTHER });
    await h.goLive({ rooms: [room(GENERAL), group] });
    const socket = h.latest();
    socket.serve({ type: 'messages', data: [message(GROUP, 5)] });
    socket.serve({ type: 'events', data: [memberEvent(GROUP, 6, 'removed', [ME])] });
    await settle();
    expect(await h.db.rooms.get(GROUP)).toBeUndefined();
    expect(await h.db.messages.where('room_id').equals(GROUP).count()).toBe(0);
    expect(await h.db.events.where('room_id').equals(GROUP).count()).toBe(0);
    expect(await h.db.meta.get(MetaKey.syncedSeq(GROUP))).toBeUndefined();
    expect(cursors(h)).toEqual({ [GENERAL]: 0 });
    expect((await readRoomView(h.db, GROUP)).view).toBeNull();

    // Added to a new group while connected: its creation arrives, naming the user.
    socket.serve({ type: 'events', data: [roomEvent(NEW, 1, { created: RoomKind.Group, name: 'Trip' }), memberEvent(NEW, 2, 'added', [ME])] });
    await settle();
    expect(roundsSent(socket)).toEqual([[], [{ room_id: NEW, after_seq: 2 }, { room_id: GENERAL, after_seq: 0 }]]);
    socket.serve({ type: 'rooms', data: [room(GENERAL), room(NEW, { kind: RoomKind.Group, name: 'Trip', last_seq: 2, members: [OTHER, ME], member_count: 2 })], users: [] });
    socket.serve({ type: 'synced', room_id: GENERAL, seq: 0 });
    socket.serve({ type: 'synced', room_id: NEW, seq: 2 });
    await settle();
    expect(live(h)).toBe(true);
    expect(cursors(h)).toEqual({ [GENERAL]: 0, [NEW]: 2 });
    expect((await readRoomView(h.db, NEW)).view).toMatchObject({ name: 'Trip', state: 'synced' });
    expect(roundsSent(socket)).toHaveLength(2);
  });

  it('[M4][M5] leaving a public room and joining it again while away keeps it, and its log is followed on', async () => {
    const h = await createHarness();
    const lobby = room(GROUP, { last_seq: 4, members: [OTHER, ME], member_count: 2 });
    const socket = await returning(h, lobby, 2);
    socket.serve({ type: 'rooms', data: [room(GENERAL), lobby], users: [] });
    socket.serve({ type: 'synced', room_id: GENERAL, seq: 0 });
    socket.serve({ type: 'events', data: [memberEvent(GROUP, 3, 'left', [ME], ME), memberEvent(GROUP, 4, 'joined', [ME], ME)] });
    socket.serve({ type: 'synced', room_id: GROUP, seq: 4 });
    await settle();
    expect(live(h)).toBe(true);
    expect(cursors(h)).toEqual({ [GENERAL]: 0, [GROUP]: 4 });
    expect(roundsSent(socket)).toHaveLength(1);
    expect(await h.db.messages.where('room_id').equals(GROUP).count()).toBe(1);
    expect((await readRoomView(h.db, GROUP)).view?.members.map((m) => m.id)).toEqual([OTHER, ME]);
  });

  it('[M4][M5] removed and added back while away, with the two in different catch-up pages: the room stays, its log is followed on, no second round', async () => {
    const h = await createHarness();
    const group = room(GROUP, { kind: RoomKind.Group, last_seq: 9, members: [OTHER, ME], member_count: 2, owner_id: OTHER, name: 'Trip' });
    const socket = await returning(h, { ...group, last_seq: 2 }, 2);
    socket.serve({ type: 'rooms', data: [room(GENERAL), group], users: [] });
    socket.serve({ type: 'synced', room_id: GENERAL, seq: 0 });
    // Pages as the server cuts them: the removal ends one frame, the add opens a later one.
    socket.serve({ type: 'messages', data: [message(GROUP, 3), message(GROUP, 4)] });
    socket.serve({ type: 'events', data: [memberEvent(GROUP, 5, 'removed', [ME])] });
    socket.serve({ type: 'messages', data: [message(GROUP, 6), message(GROUP, 7)] });
    socket.serve({ type: 'events', data: [memberEvent(GROUP, 8, 'added', [ME])] });
    socket.serve({ type: 'messages', data: [message(GROUP, 9)] });
    socket.serve({ type: 'synced', room_id: GROUP, seq: 9 });
    await settle();
    expect(live(h)).toBe(true);
    expect(cursors(h)).toEqual({ [GENERAL]: 0, [GROUP]: 9 });
    expect(roundsSent(socket)).toHaveLength(1);
    expect(await h.store.syncedSeq(GROUP)).toBe(9);
    expect(await h.db.messages.where('room_id').equals(GROUP).count()).toBe(6);
    const view = (await readRoomView(h.db, GROUP)).view;
    expect(view).toMatchObject({ name: 'Trip', state: 'synced' });
    expect(view?.members.map((m) => m.id)).toEqual([OTHER, ME]);

    // Removed for real after the listing: the room goes.
    socket.serve({ type: 'events', data: [memberEvent(GROUP, 10, 'removed', [ME])] });
    await settle();
    expect(await h.db.rooms.get(GROUP)).toBeUndefined();
    expect(cursors(h)).toEqual({ [GENERAL]: 0 });
  });

  // The removal (seq 4) and a listing read at seq 3 reach the device in either order.
  it.each([
    ['after the room was listed: the removal wins over the listing', true],
    ['before the round\'s rooms frame, read just before it: the room stays gone', false],
  ])('[M4][M5] removed while a round is answered, %s', async (_, listedFirst) => {
    const h = await createHarness();
    const group = room(GROUP, { kind: RoomKind.Group, last_seq: 3, members: [OTHER, ME], member_count: 2, owner_id: OTHER });
    const socket = await returning(h, group, 3);
    const listing = { type: 'rooms' as const, data: [room(GENERAL), group], users: [] };
    const removal = { type: 'events' as const, data: [memberEvent(GROUP, 4, 'removed', [ME])] };
    for (const frame of listedFirst ? [listing, removal] : [removal, listing]) socket.serve(frame);
    socket.serve({ type: 'synced', room_id: GENERAL, seq: 0 });
    socket.serve({ type: 'synced', room_id: GROUP, seq: 3 });
    await settle();
    expect(live(h)).toBe(true);
    expect(cursors(h)).toEqual({ [GENERAL]: 0 });
    expect(await h.db.rooms.get(GROUP)).toBeUndefined();
    expect(await h.store.syncedSeq(GROUP)).toBeUndefined();
  });

  it('[A2][P1] a connection still stopping when another user took the device writes nothing into the new user\'s data, and its hello does not take the device back', async () => {
    const h = await createHarness();
    await h.goLive({ rooms: [room(GENERAL), room(GROUP, { kind: RoomKind.Group, members: [ME, OTHER], member_count: 2 })] });
    const socket = h.latest();
    // Someone else logs in on this device: one transaction clears ME's data and stores THIRD.
    await switchIdentity(h.db, { user_id: THIRD, token: 'third' }, null);
    socket.serve({ type: 'messages', data: [message(GROUP, 1), message(GENERAL, 1)] });
    socket.serve({ type: 'rooms', data: [room(GENERAL), room(GROUP, { kind: RoomKind.Group })], users: [] });
    await settle();
    expect(await h.db.messages.count()).toBe(0);
    expect(await h.db.rooms.count()).toBe(0);
    // A late hello of the old connection's identity leaves THIRD in place.
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await untilRetry(h);
    h.latest().emit({ type: 'SOCKET.OPEN' });
    h.latest().serve({ type: 'hello', user_id: ME, token: 'token-2' });
    await settle();
    expect(await h.store.getIdentity()).toEqual({ user_id: THIRD, token: 'third' });
  });

  it('[M5][M2] a room this device creates is followed from its first entry without a round; an unknown one starts a round', async () => {
    const h = await createHarness();
    await h.goLive();
    const socket = h.latest();
    const roomId = await createRoomActions(h.store).createRoom({ kind: RoomKind.Public, name: 'Lobby', userIds: [] });
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    const [create] = opsSent(socket);
    socket.serve({ type: 'events', data: [roomEvent(roomId, 1, { created: RoomKind.Public, name: 'Lobby' }, ME, create.client_id)] });
    socket.serve(ack([create.client_id], [1]));
    await settle();
    expect(cursors(h)[roomId]).toBe(1);
    expect(roundsSent(socket)).toHaveLength(1);
    expect((await readRoomView(h.db, roomId)).view).toMatchObject({ state: 'synced', roomName: 'Lobby', isOwner: true });
    expect(await h.db.outbox.count()).toBe(0);

    socket.serve({ type: 'messages', data: [message(GONE, 40)] });
    await settle();
    expect(roundsSent(socket)).toHaveLength(2);
  });

  it('[P7][M3] unknown_room for a message to a room the user is no longer in fails it and wedges nothing', async () => {
    const h = await createHarness();
    await h.goLive({ rooms: [room(GENERAL), room(GROUP, { kind: RoomKind.Group })] });
    const socket = h.latest();
    const orphan = await h.store.enqueue(GROUP, 'too late');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    socket.serve({ type: 'rejected', client_ids: [orphan.client_id], code: 'unknown_room', message: 'room "x" does not exist' });
    // A single-room catch-up for a room gone is answered with an error: a round sorts it out.
    socket.serve({ type: 'error', code: 'unknown_room', message: 'room "x" does not exist' });
    await settle();
    expect(await h.db.outbox.get(orphan.client_id)).toMatchObject({ status: 'failed', error_code: 'unknown_room' });
    expect(roundsSent(socket)).toHaveLength(2);
    const next = await h.store.enqueue(GENERAL, 'still flowing');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual([orphan.client_id, next.client_id]);
    expect(live(h)).toBe(true);
  });
});
