import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { RoomKind, dmRoomId } from '@whisper/protocol';
import { GENERAL, ME, OTHER, THIRD, message, room } from './connection.harness';
import { readRoomList } from './room-list';
import { setUpStore } from './store.fixture';

const GROUP = '01jd3r2k8m4q6v9x1z3b5n7p9s';
const DM = dmRoomId(ME, OTHER);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 12, minute)).toISOString();

const fixture = setUpStore('room-list');
const list = async () => (await readRoomList(fixture.db)).items;

describe('room list', () => {
  it('[M6] unread counts per room follow markRead; the list is sorted by activity', async () => {
    const { store } = fixture;
    await store.storeRooms({
      data: [
        room(GENERAL, { last_seq: 2, last_activity_at: at(2) }),
        room(GROUP, { kind: RoomKind.Group, name: 'Trip', members: [ME, OTHER], member_count: 2, last_seq: 3, last_activity_at: at(3) }),
      ],
      users: [],
    });
    await store.markSynced(GENERAL, 2, { hasOlder: false });
    await store.markSynced(GROUP, 3, { hasOlder: false });
    expect((await list()).map((item) => [item.id, item.unread])).toEqual([[GROUP, 0], [GENERAL, 0]]);

    // Three from others in general, one of mine: three unread, and general is the most active now.
    await store.storeMessages([message(GENERAL, 3, OTHER), message(GENERAL, 4, THIRD), message(GENERAL, 5, ME, ulid()), message(GENERAL, 6, OTHER)]);
    await store.storeMessages([message(GROUP, 4, OTHER)]);
    expect((await list()).map((item) => [item.id, item.unread])).toEqual([[GENERAL, 3], [GROUP, 1]]);
    await store.markRead(GENERAL, 4);
    expect((await list()).map((item) => [item.id, item.unread])).toEqual([[GENERAL, 1], [GROUP, 1]]);
    // Seen only moves forward.
    await store.markRead(GENERAL, 2);
    await store.markRead(GROUP, 4);
    expect((await list()).map((item) => [item.id, item.unread])).toEqual([[GENERAL, 1], [GROUP, 0]]);

    // Something typed in the group, unsent, is the newest activity there.
    await store.enqueue(GROUP, 'see you there');
    expect((await list()).map((item) => item.id)).toEqual([GROUP, GENERAL]);
  });

  it('[M6][A5] names and previews: a DM shows the other person, the last sender by name ("you" as null), never a UUID', async () => {
    const { db, store } = fixture;
    await store.storeRooms({
      data: [
        room(GENERAL, { last_message: { seq: 9, user_id: THIRD, excerpt: 'hello all', created_at: at(9) }, last_activity_at: at(9) }),
        room(DM, { kind: RoomKind.Dm, name: '', members: [ME, OTHER], member_count: 2, last_message: { seq: 2, user_id: ME, excerpt: 'hi Ben', created_at: at(5) }, last_activity_at: at(5) }),
      ],
      users: [{ id: OTHER, display_name: 'Ben Ray', color: 'red' }],
    });
    const [general, dm] = await list();
    expect(dm).toMatchObject({ id: DM, name: 'Ben Ray', otherUserId: OTHER, lastMessage: { text: 'hi Ben', senderName: null, at: at(5) }, state: 'synced' });
    // THIRD has no name here yet: a neutral one, and the lookup is asked for.
    expect(general).toMatchObject({ name: 'general', lastMessage: { text: 'hello all', senderName: 'Someone' } });
    expect((await readRoomList(db)).unknownPeople).toEqual([THIRD]);
    expect(JSON.stringify(await list())).not.toContain(THIRD);
  });
});
