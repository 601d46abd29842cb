import { describe, expect, it } from 'vitest';
import { OpName, RoomKind, dmRoomId } from '@whisper/protocol';
import { MetaKey } from '../db/whisper-db';
import { GENERAL, ME, OTHER, THIRD, message, room } from './connection.harness';
import { readRoomList } from './room-list';
import { setUpStore } from './store.fixture';
import { readTimeline } from './use-room-timeline';

const DM = dmRoomId(ME, OTHER);
const GROUP = '01jd3r2k8m4q6v9x1z3b5n7p9s';
const fixture = setUpStore('read-markers');

const readRows = async () => (await fixture.db.outbox.toArray()).filter((row) => row.kind === 'op' && row.op?.op === OpName.Read);
const seen = async (roomId: string) => (await fixture.db.meta.get(MetaKey.seenSeq(roomId)))?.value;

describe('read markers on the device (L3)', () => {
  it('[L3] queued offline and coalesced: one read op per room, with the highest seq, until one is on its way', async () => {
    const { store } = fixture;
    await store.storeRooms({ data: [room(GENERAL, { last_seq: 9 }), room(DM, { kind: RoomKind.Dm, members: [ME, OTHER], last_seq: 9 })], users: [] });
    expect(await store.markRead(DM, 3)).toBe(true);
    expect(await store.markRead(DM, 5)).toBe(true);
    expect(await store.markRead(DM, 4)).toBe(false);
    await store.markRead(GENERAL, 7);
    expect((await readRows()).map((row) => row.op)).toEqual([
      { op: OpName.Read, room_id: DM, seq: 5 },
      { op: OpName.Read, room_id: GENERAL, seq: 7 },
    ]);
    expect(await seen(DM)).toBe(5);

    // Planned onto a socket: it may have left, so a later read is an op of its own.
    const plan = await store.planFlush('socket-1', ME, Date.now(), 10_000, 5);
    expect(plan.items.map((item) => item.op?.op)).toEqual([OpName.Read, OpName.Read]);
    await store.markRead(DM, 8);
    expect((await readRows()).filter((row) => row.room_id === DM).map((row) => row.op)).toEqual([
      { op: OpName.Read, room_id: DM, seq: 5 },
      { op: OpName.Read, room_id: DM, seq: 8 },
    ]);
  });

  it('[L3] a read op is no unsent work, no room activity, no timeline entry; a refused one is dropped, not failed', async () => {
    const { db, store } = fixture;
    await store.storeRooms({ data: [room(GENERAL, { last_seq: 2 })], users: [] });
    await store.storeMessages([message(GENERAL, 2, OTHER)]);
    const [before] = (await readRoomList(db)).items;
    await store.markRead(GENERAL, 2);
    expect(await store.unsentCount()).toBe(0);
    const [general] = (await readRoomList(db)).items;
    expect(general.activityAt).toBe(before.activityAt);
    const { items } = await readTimeline(db, GENERAL, 50);
    expect(items.map((item) => item.kind)).toEqual(['message']);
    const [row] = await readRows();
    await store.applyRejection({ type: 'rejected', client_ids: [row.client_id], code: 'unknown_room', message: 'gone' });
    expect(await readRows()).toEqual([]);
  });

  it('[L3][M6] the server\'s marker (another device read it) moves this one; its count is a floor for what this device does not hold', async () => {
    const { db, store } = fixture;
    // A new device: the DM's newest page only (seq 40–41), 12 unread by the server's count from 30.
    await store.storeRooms({ data: [room(DM, { kind: RoomKind.Dm, members: [ME, OTHER], last_seq: 41, read_seq: 30, unread: 12 })], users: [] });
    await store.storeMessages([message(DM, 40, OTHER), message(DM, 41, OTHER)], { roomId: DM, syncedSeq: 41 });
    await store.markSynced(DM, 41, { hasOlder: true });
    expect(await seen(DM)).toBe(30);
    const unread = async () => (await readRoomList(db)).items.find((item) => item.id === DM)!.unread;
    expect(await unread()).toBe(12);
    // Read on another device up to 40: one left (and the server's count no longer applies).
    await store.storeReceipts({ type: 'receipts', room_id: DM, data: [{ user_id: ME, delivered_seq: 40, read_seq: 40 }] }, ME);
    expect(await seen(DM)).toBe(40);
    expect(await unread()).toBe(1);
    // An older word changes nothing.
    await store.storeReceipts({ type: 'receipts', room_id: DM, data: [{ user_id: ME, delivered_seq: 35, read_seq: 35 }] }, ME);
    expect(await seen(DM)).toBe(40);
  });
});

describe('receipts on the device (L4)', () => {
  it('[L4] others\' markers only move forward, and make the ticks: delivered to all, read by all, "Read by" in groups', async () => {
    const { db, store } = fixture;
    const mine = (seq: number) => ({ ...message(GROUP, seq, ME), client_id: `01JD3Q8Z5W6ZK2S9V7T4N1B0${String(seq).padStart(2, '0')}` });
    await store.storeRooms({
      data: [
        room(GROUP, {
          kind: RoomKind.Group,
          members: [ME, OTHER, THIRD],
          last_seq: 3,
          receipts: [
            { user_id: OTHER, delivered_seq: 0, read_seq: 0 },
            { user_id: THIRD, delivered_seq: 0, read_seq: 0 },
          ],
        }),
      ],
      users: [
        { id: OTHER, display_name: 'Ben', color: 'teal' },
        { id: THIRD, display_name: 'Cid', color: 'rose' },
      ],
    });
    await store.storeMessages([mine(2), mine(3)]);
    const ticks = async () => (await readTimeline(db, GROUP, 50)).items.map((item) => (item.kind === 'message' ? [item.seq, item.receipt, item.readBy] : null));
    expect(await ticks()).toEqual([
      [2, null, []],
      [3, null, []],
    ]);
    await store.storeReceipts({ type: 'receipts', room_id: GROUP, data: [{ user_id: OTHER, delivered_seq: 3, read_seq: 2 }] }, ME);
    await store.storeReceipts({ type: 'receipts', room_id: GROUP, data: [{ user_id: THIRD, delivered_seq: 2, read_seq: 0 }] }, ME);
    expect(await ticks()).toEqual([
      [2, 'delivered', ['Ben']],
      [3, null, []],
    ]);
    // Late and out of order: an older frame from Ben moves nothing back.
    await store.storeReceipts({ type: 'receipts', room_id: GROUP, data: [{ user_id: THIRD, delivered_seq: 3, read_seq: 3 }, { user_id: OTHER, delivered_seq: 1, read_seq: 1 }] }, ME);
    expect(await ticks()).toEqual([
      [2, 'read', ['Ben', 'Cid']],
      [3, 'delivered', ['Cid']],
    ]);
  });

  it('[L4] no ticks beyond "sent" in a public room, and none on other people\'s messages', async () => {
    const { db, store } = fixture;
    await store.storeRooms({ data: [room(GENERAL, { last_seq: 2 })], users: [] });
    await store.storeMessages([{ ...message(GENERAL, 1, ME), client_id: '01JD3Q8Z5W6ZK2S9V7T4N1B0XA' }, message(GENERAL, 2, OTHER)]);
    const items = (await readTimeline(db, GENERAL, 50)).items.flatMap((item) => (item.kind === 'message' ? [[item.status, item.receipt]] : []));
    expect(items).toEqual([
      ['sent', null],
      [null, null],
    ]);
  });
});
