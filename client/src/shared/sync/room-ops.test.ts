import { liveQuery } from 'dexie';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RoomKind, dmRoomId, type AckFrame } from '@whisper/protocol';
import { WhisperDatabase } from '../db/whisper-db';
import { createChatStore, type ChatStore } from './chat-store';
import { GENERAL, ME, OTHER, THIRD, memberEvent, message, room, roomEvent } from './connection.harness';
import { createRoomActions, type RoomActions } from './room-actions';
import { readRoomList, type RoomListItem } from './room-list';
import { readRoomView } from './room-view';
import { readTimeline } from './use-room-timeline';

const GROUP = '01jd3r2k8m4q6v9x1z3b5n7p9s';

let db: WhisperDatabase;
let store: ChatStore;
let actions: RoomActions;
const opened: WhisperDatabase[] = [];

function device(userId: string | null) {
  const deviceDb = new WhisperDatabase(`room-ops-${ulid()}`);
  opened.push(deviceDb);
  const deviceStore = createChatStore(deviceDb);
  return { db: deviceDb, store: deviceStore, actions: createRoomActions(deviceStore), ready: userId ? deviceStore.setIdentity({ user_id: userId, token: 't' }) : Promise.resolve() };
}

beforeEach(async () => {
  ({ db, store, actions } = device(ME));
  await store.setIdentity({ user_id: ME, token: 't' });
  await store.storeRooms({
    data: [room(GENERAL), room(GROUP, { kind: RoomKind.Group, name: 'Trip', owner_id: ME, members: [ME, OTHER], member_count: 2, last_seq: 3 })],
    users: [
      { id: ME, display_name: 'Ana Park', color: 'teal' },
      { id: OTHER, display_name: 'Ben Ray', color: 'red' },
      { id: THIRD, display_name: 'Cleo Wu', color: 'blue' },
    ],
  });
});
afterEach(async () => {
  for (const each of opened.splice(0)) {
    each.close();
    await each.delete();
  }
});

const view = async (roomId: string) => (await readRoomView(db, roomId)).view;
const listed = async (roomId: string) => (await readRoomList(db)).items.find((item) => item.id === roomId);
const notices = async (roomId: string) => (await readTimeline(db, roomId, 100)).items.filter((item) => item.kind === 'notice');
const rowOf = async (index = -1) => (await db.outbox.orderBy('client_id').toArray()).at(index)!;
const ackOf = (clientId: string, seq: number): AckFrame => ({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [clientId], seqs: [seq] });

describe('room ops: local echo and acks', () => {
  it('[C1][X4] every op shows at once, offline too: a new room pending, a rename, people added and removed, a room left hidden', async () => {
    const created = await actions.createRoom({ kind: RoomKind.Group, name: 'Cabin', userIds: [OTHER] });
    expect(created).toMatch(/^[0-9a-z]{26}$/);
    expect(await listed(created)).toMatchObject({ name: 'Cabin', kind: 'group', state: 'pending', failure: null });
    await actions.send(created, 'at once');
    expect((await readTimeline(db, created, 100)).items.map((item) => (item.kind === 'notice' ? [item.text, item.pending] : [item.content, item.status]))).toEqual([
      ['You created the group “Cabin”', true],
      ['at once', 'pending'],
    ]);

    await actions.renameRoom(GROUP, 'Trip 2');
    await actions.addMembers(GROUP, [THIRD]);
    await actions.removeMember(GROUP, OTHER);
    expect(await view(GROUP)).toMatchObject({ name: 'Trip 2', roomName: 'Trip 2', memberCount: 2, state: 'synced' });
    expect((await view(GROUP))?.members.map((m) => m.displayName)).toEqual(['Ana Park', 'Cleo Wu']);
    expect((await notices(GROUP)).map((n) => n.text)).toEqual(['You renamed the group to “Trip 2”', 'You added Cleo Wu', 'You removed Ben Ray']);

    await actions.leaveRoom(GROUP);
    expect(await view(GROUP)).toBeNull();
    expect(await listed(GROUP)).toBeUndefined();
    await actions.leaveRoom(GENERAL);
    expect(await view(GENERAL)).not.toBeNull();
  });

  it('[C5][P11] an acked op leaves the outbox as its effect enters the rooms table: the room never flickers', async () => {
    const seen: (RoomListItem | undefined)[] = [];
    let roomId = '';
    const subscription = liveQuery(() => readRoomList(db)).subscribe((list) => seen.push(list.items.find((item) => item.id === roomId)));
    roomId = await actions.createRoom({ kind: RoomKind.Public, name: 'Lobby', userIds: [] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.applyAck(ackOf((await rowOf()).client_id, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    const states = seen.filter((item) => item !== undefined).map((item) => item.state);
    expect(states.at(0)).toBe('pending');
    expect(states.at(-1)).toBe('synced');
    expect(seen.slice(seen.findIndex((item) => item !== undefined))).not.toContain(undefined);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.rooms.get(roomId)).toMatchObject({ name: 'Lobby', kind: 'public', owner_id: ME, members: [ME], last_seq: 1 });
  });

  it('[C5][E2] the server\'s event for an own op replaces its outbox row, whichever of ack and event comes first', async () => {
    await actions.renameRoom(GROUP, 'Renamed');
    const rename = await rowOf();
    await store.storeEntries({ events: [roomEvent(GROUP, 4, { name: 'Renamed' }, ME, rename.client_id)] });
    expect(await db.outbox.count()).toBe(0);
    expect((await notices(GROUP)).map((n) => [n.text, n.pending])).toEqual([['You renamed the group to “Renamed”', false]]);
    await store.applyAck(ackOf(rename.client_id, 4));
    expect(await view(GROUP)).toMatchObject({ name: 'Renamed' });

    await actions.leaveRoom(GROUP);
    await store.applyAck(ackOf((await rowOf()).client_id, 5));
    expect(await db.rooms.get(GROUP)).toBeUndefined();
    expect(await view(GROUP)).toBeNull();
    // The server's `left` entry arrives after the ack: nothing comes back.
    await store.storeEntries({ events: [memberEvent(GROUP, 5, 'left', [ME], ME)] });
    expect(await db.events.count()).toBe(0);
    expect(await db.rooms.get(GROUP)).toBeUndefined();
  });

  it('[P7][C6] a refused op is failed with its reason, shown as failed, and Retry/Delete work', async () => {
    const created = await actions.createRoom({ kind: RoomKind.Group, name: 'Taken', userIds: [] });
    const create = await rowOf();
    await store.applyRejection({ type: 'rejected', client_ids: [create.client_id], code: 'conflict', message: 'room id is taken' });
    expect(await db.outbox.get(create.client_id)).toMatchObject({ status: 'failed', error_code: 'conflict', error_message: 'room id is taken' });
    const failure = { clientId: create.client_id, reason: 'A room with this id exists already.' };
    expect(await listed(created)).toMatchObject({ state: 'failed', failure });
    expect(await view(created)).toMatchObject({ state: 'failed' });

    // A refused rename is undone on screen, with the reason beside its notice (X4).
    await actions.renameRoom(GROUP, 'Not mine');
    const rename = await rowOf();
    await store.applyRejection({ type: 'rejected', client_ids: [rename.client_id], code: 'forbidden', message: 'only the owner' });
    expect(await view(GROUP)).toMatchObject({ name: 'Trip' });
    expect(await notices(GROUP)).toEqual([expect.objectContaining({ pending: false, failure: { clientId: rename.client_id, reason: 'You are not allowed to do this here.' } })]);

    // Retry: the same client_id goes out again (C2); the room is pending again.
    await store.retry(create.client_id);
    expect(await listed(created)).toMatchObject({ state: 'pending', failure: null });
    const plan = await store.planFlush('s1', ME, 0, 10_000, 5);
    expect(plan.items.map((item) => item.client_id)).toEqual([create.client_id]);
    // Delete: the failed rename and the room it would have made are gone for good.
    await store.remove(rename.client_id);
    await store.applyRejection({ type: 'rejected', client_ids: [create.client_id], code: 'conflict', message: 'room id is taken' });
    await store.remove(create.client_id);
    expect(await listed(created)).toBeUndefined();
    expect(await notices(GROUP)).toEqual([]);
  });

  it('[M5] a rooms frame keeps a room this device is still creating, and drops what the server no longer lists', async () => {
    const created = await actions.createRoom({ kind: RoomKind.Group, name: 'Offline', userIds: [] });
    // Followed already (its first entries came) while the creation waits in the outbox for its ack.
    await store.storeEntries({ events: [roomEvent(created, 1, { created: RoomKind.Group, name: 'Offline' }, ME)] }, { [created]: 1 });
    await store.storeMessages([message(GROUP, 3)], { roomId: GROUP, syncedSeq: 3 });
    await store.storeRooms({ data: [room(GENERAL)], users: [] });
    expect(await listed(created)).toMatchObject({ state: 'synced' });
    expect(await store.syncedSeq(created)).toBe(1);
    expect(await view(GROUP)).toBeNull();
    expect(await db.messages.count()).toBe(0);
  });

  it('[M1][C1] joining a public room from the list shows it at once, and the ack keeps it there', async () => {
    const lobby = room('lobby', { name: 'Lobby', members: [OTHER], member_count: 1, owner_id: OTHER });
    const joining = createRoomActions(store, (roomId) => (roomId === 'lobby' ? lobby : undefined));
    await joining.joinRoom('lobby');
    expect(await view('lobby')).toMatchObject({ name: 'Lobby', state: 'pending', memberCount: 2, canLeave: true, isOwner: false });
    expect((await notices('lobby')).map((n) => n.text)).toEqual(['You joined']);
    await store.applyAck(ackOf((await rowOf()).client_id, 8));
    expect(await view('lobby')).toMatchObject({ name: 'Lobby', state: 'synced', memberCount: 2 });
  });
});

describe('direct messages', () => {
  it('[M2] openDm gives both sides the same room id', async () => {
    const ana = device(ME);
    const ben = device(OTHER);
    await Promise.all([ana.ready, ben.ready]);
    const fromAna = await ana.actions.openDm(OTHER);
    const fromBen = await ben.actions.openDm(ME);
    expect(fromAna).toBe(fromBen);
    expect(fromAna).toBe(dmRoomId(ME, OTHER));
    // Opened twice, created once; shown under the other person's name.
    await ana.actions.openDm(OTHER);
    expect((await ana.db.outbox.toArray()).map((row) => row.op)).toEqual([{ op: 'room.create', room_id: fromAna, name: '', kind: 'dm', user_ids: [OTHER] }]);
    await ana.store.storeRooms({ data: [room(GENERAL)], users: [{ id: OTHER, display_name: 'Ben Ray', color: 'red' }] });
    expect((await readRoomList(ana.db)).items.find((item) => item.id === fromAna)).toMatchObject({ name: 'Ben Ray', kind: 'dm', otherUserId: OTHER, state: 'pending' });
    expect((await readRoomView(ana.db, fromAna)).view).toMatchObject({ canLeave: false, canRename: false, canAddPeople: false, ownerId: null });
  });

  it('[M2][P1] openDm needs the device\'s identity and says so', async () => {
    const fresh = device(null);
    await expect(fresh.actions.openDm(OTHER)).rejects.toThrow(/identity/);
    expect(await fresh.db.outbox.count()).toBe(0);
  });
});
