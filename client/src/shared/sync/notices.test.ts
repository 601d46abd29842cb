import { describe, expect, it } from 'vitest';
import { RoomKind } from '@whisper/protocol';
import { GENERAL, ME, OTHER, THIRD, memberEvent, message, room, roomEvent } from './connection.harness';
import { noticeText } from './notices';
import { createRoomActions } from './room-actions';
import { setUpStore } from './store.fixture';
import { readTimeline } from './use-room-timeline';

const GROUP = '01jd3r2k8m4q6v9x1z3b5n7p9s';
const FOURTH = '44444444-4444-4444-8444-444444444444';
const names = { me: ME, nameOf: (id: string) => ({ [OTHER]: 'Ben', [THIRD]: 'Cleo', [FOURTH]: 'Dan' })[id] ?? 'Someone' };

describe('notices', () => {
  it('[M4][A5] notices name people by display name, and the user as "You"', () => {
    const group = RoomKind.Group;
    const text = (event: Parameters<typeof noticeText>[0], kind: RoomKind = group) => noticeText(event, kind, names);
    expect(text(roomEvent(GROUP, 1, { created: RoomKind.Group, name: 'Trip' }, OTHER))).toBe('Ben created the group “Trip”');
    expect(text(roomEvent(GROUP, 1, { created: RoomKind.Public, name: 'Lobby' }, ME), RoomKind.Public)).toBe('You created the room “Lobby”');
    expect(text(roomEvent(GROUP, 1, { created: RoomKind.Dm, name: '' }, OTHER), RoomKind.Dm)).toBe('Ben started the conversation');
    expect(text(memberEvent(GROUP, 2, 'added', [THIRD, FOURTH], OTHER))).toBe('Ben added Cleo and Dan');
    expect(text(memberEvent(GROUP, 2, 'added', [THIRD, FOURTH, ME], OTHER))).toBe('Ben added Cleo, Dan and you');
    expect(text(memberEvent(GROUP, 3, 'joined', [THIRD], THIRD))).toBe('Cleo joined');
    expect(text(memberEvent(GROUP, 4, 'left', [ME], ME))).toBe('You left');
    expect(text(memberEvent(GROUP, 5, 'removed', [OTHER], ME))).toBe('You removed Ben');
    expect(text(memberEvent(GROUP, 5, 'removed', [ME], OTHER))).toBe('Ben removed you');
    expect(text(roomEvent(GROUP, 6, { name: 'Trip 2' }, OTHER))).toBe('Ben renamed the group to “Trip 2”');
    expect(text(roomEvent(GROUP, 7, { deleted: true }, OTHER))).toBe('Ben deleted the group');
    expect(text(roomEvent(GROUP, 7, { deleted: true }, OTHER), RoomKind.Public)).toBe('Ben deleted the room');
  });
});

describe('timeline', () => {
  const fixture = setUpStore('timeline');

  it('[M4][C1][C5] messages and events in seq order, then this device\'s unsent messages and ops, every sender by name', async () => {
    const { db, store } = fixture;
    await store.storeRooms({ data: [room(GENERAL), room(GROUP, { kind: RoomKind.Group, members: [OTHER, ME], member_count: 2 })], users: [{ id: OTHER, display_name: 'Ben', color: 'red' }] });
    await store.storeEntries({
      messages: [message(GROUP, 3, OTHER)],
      events: [roomEvent(GROUP, 1, { created: RoomKind.Group, name: 'Trip' }, OTHER), memberEvent(GROUP, 2, 'added', [ME], OTHER)],
    });
    const actions = createRoomActions(store);
    await actions.send(GROUP, 'on my way');
    await actions.addMembers(GROUP, [THIRD]);
    const { items, hasOlder } = await readTimeline(db, GROUP, 50);
    expect(items.map((item) => (item.kind === 'notice' ? `${item.seq ?? '-'} ${item.text}${item.pending ? ' (pending)' : ''}` : `${item.seq ?? '-'} ${item.senderName}: ${item.content}`))).toEqual([
      '1 Ben created the group “Trip”',
      '2 Ben added you',
      `3 Ben: ${GROUP} #3`,
      '- Someone: on my way',
      '- You added Someone (pending)',
    ]);
    expect(items[2]).toMatchObject({ kind: 'message', senderColor: 'red', own: false });
    expect(hasOlder).toBe(false);
  });

  it('[C8][E1] the window is the newest messages; events older than it wait with them', async () => {
    const { db, store } = fixture;
    await store.storeEntries({
      messages: [message(GROUP, 2), message(GROUP, 4), message(GROUP, 5)],
      events: [memberEvent(GROUP, 1, 'joined', [OTHER], OTHER), memberEvent(GROUP, 3, 'joined', [THIRD], THIRD)],
    });
    const { items, hasOlder } = await readTimeline(db, GROUP, 2);
    expect(items.map((item) => item.seq)).toEqual([4, 5]);
    expect(hasOlder).toBe(true);
    expect((await readTimeline(db, GROUP, 3)).items.map((item) => item.seq)).toEqual([2, 3, 4, 5]);
  });
});
