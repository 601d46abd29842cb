import type { Room, RoomKind } from '@whisper/protocol';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import { isOpRow, isQuietRow, outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { usersTable } from '../db/users.table';
import { MetaKey, type OutboxItem, type WhisperDatabase } from '../db/whisper-db';
import { useEngine } from './engine-context';
import { personOf, unknownAmong } from './names';
import { overlayRooms, type RoomState } from './room-overlay';
import { dmPartner, laterTime } from './room-state';
import { useLiveRead } from './want-people';

/** M6: one room of the list. */
export interface RoomListItem {
  id: string;
  kind: RoomKind;
  /** What to show: a DM shows the other person's display name; others their room name. */
  name: string;
  /** DMs: the other person. */
  otherUserId: string | null;
  /** senderName null: you. */
  lastMessage: { text: string; senderName: string | null; at: string } | null;
  /** Messages by others after the user's read marker (L3). */
  unread: number;
  /** ISO; the list is sorted by it, newest first. */
  activityAt: string;
  state: RoomState;
  failure: { clientId: string; reason: string } | null;
  /** N1: muted by the user: no notifications, and its unread count is left out of the badge. */
  muted?: boolean;
}

/** The newest own row per room: unsent messages are the newest thing the user sees there. */
function newestRows(outbox: OutboxItem[]): { activity: Map<string, OutboxItem>; message: Map<string, OutboxItem> } {
  const activity = new Map<string, OutboxItem>();
  const message = new Map<string, OutboxItem>();
  for (const row of outbox) {
    if (isQuietRow(row)) continue;
    activity.set(row.room_id, row);
    if (!isOpRow(row)) message.set(row.room_id, row);
  }
  return { activity, message };
}

/**
 * M6, L3: the unread count is counted on the device, which may not hold
 * every message after the marker (a new device has each room's newest page):
 * while the marker is no further than the server knew it, the server's
 * count (the `rooms` frame's `unread`) is a floor. (Synchronous on purpose:
 * the count itself is awaited in the read's own callback, as a call to
 * another async function inside a live query's transaction can let it
 * commit early.)
 */
function serverFloor(room: Room, seenSeq: number): number {
  return room.unread !== undefined && seenSeq <= (room.read_seq ?? 0) ? room.unread : 0;
}

/**
 * The room list as one read of IndexedDB (the live query of useRoomList), in
 * one read-only transaction, with the people it names but cannot name yet.
 */
export function readRoomList(db: WhisperDatabase): Promise<{ items: RoomListItem[]; unknownPeople: string[] }> {
  return db.transaction('r', [db.rooms, db.outbox, db.meta, db.users, db.messages], () => readRoomListIn(db));
}

async function readRoomListIn(db: WhisperDatabase): Promise<{ items: RoomListItem[]; unknownPeople: string[] }> {
  const [rooms, outbox, me, seen] = await Promise.all([
    roomsTable.all(db),
    outboxTable.inOrder(db),
    metaTable.myUserId(db),
    metaTable.byPrefix<number>(db, MetaKey.seenSeq('')),
  ]);
  const local = [...overlayRooms(rooms, outbox, me).values()];
  const newest = newestRows(outbox);
  // The people the list names: DM partners and last senders other than the user ("You" needs no name).
  const named = local.flatMap(({ room }) => [dmPartner(room, me), room.last_message?.user_id].filter((id): id is string => typeof id === 'string' && id !== me));
  const users = await usersTable.byIds(db, named);
  const items = await Promise.all(
    local.map(async ({ room, state, failure }): Promise<RoomListItem> => {
      const otherUserId = dmPartner(room, me);
      const own = newest.message.get(room.id);
      const last = room.last_message;
      const seenSeq = seen.get(room.id) ?? 0;
      const activity = newest.activity.get(room.id);
      return {
        id: room.id,
        kind: room.kind,
        name: otherUserId !== null ? personOf(users, otherUserId).display_name : room.name,
        otherUserId,
        lastMessage: own
          ? { text: own.content, senderName: null, at: own.created_at }
          : last
            ? { text: last.deleted ? 'Message deleted' : last.excerpt, senderName: last.user_id === me ? null : personOf(users, last.user_id).display_name, at: last.created_at }
            : null,
        unread: Math.max(room.last_seq > seenSeq ? await messagesTable.countFromOthersAfter(db, room.id, seenSeq, me) : 0, serverFloor(room, seenSeq)),
        activityAt: activity ? laterTime(room.last_activity_at, activity.created_at) : room.last_activity_at,
        state,
        failure,
        muted: room.muted,
      };
    }),
  );
  items.sort((a, b) => Date.parse(b.activityAt) - Date.parse(a.activityAt) || a.name.localeCompare(b.name));
  return { items, unknownPeople: unknownAmong(users, named) };
}

/** M6: the user's rooms, most recently active first; undefined while loading. */
export function useRoomList(): RoomListItem[] | undefined {
  const { db } = useEngine();
  return useLiveRead(() => readRoomList(db), [db])?.items;
}
