import { DEFAULT_ROOM_ID, OpName, RoomKind } from '@whisper/protocol';
import { eventsTable } from '../db/events.table';
import { filesTable } from '../db/files.table';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import { isOpRow, outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { usersTable } from '../db/users.table';
import { MetaKey, type OutboxItem, type WhisperDatabase } from '../db/whisper-db';
import { useEngine } from './engine-context';
import { unknownAmong } from './names';
import { readRoomView, type RoomView } from './room-view';
import type { TimelineEntry } from './timeline';
import { peopleOf, timelineEntries } from './timeline-entries';
import { useLiveRead } from './want-people';

export interface RoomTimeline {
  items: TimelineEntry[];
  hasOlder: boolean;
  /** L3: how far the user has read the room (null: never marked on this device). */
  readSeq: number | null;
  /** L3: messages by others after it (on this device). */
  unread: number;
  /** False until the first read of IndexedDB has finished. */
  loaded: boolean;
}

/** The room's kind for notice wording: its row, or the creation queued on this device. */
function kindOf(stored: RoomKind | undefined, roomId: string, outbox: OutboxItem[]): RoomKind {
  if (stored) return stored;
  const create = outbox.find((row) => isOpRow(row) && row.op.op === OpName.RoomCreate);
  if (create?.op?.op === OpName.RoomCreate) return create.op.kind;
  return roomId === DEFAULT_ROOM_ID ? RoomKind.Public : RoomKind.Group;
}

/** The tables a room's timeline is read from. */
const timelineTables = (db: WhisperDatabase) => [db.messages, db.outbox, db.meta, db.rooms, db.events, db.users, db.files];

/**
 * The newest `limit` stored messages of the room and the events among them,
 * in seq order, then the room's outbox in enqueue order. Every table is read
 * in one live query, so an ack moving a row from the outbox to the history is
 * seen as one change (C5), and in one read-only transaction: IndexedDB
 * serves the reads from one snapshot, at the cost of one transaction instead
 * of one per read.
 */
export function readTimeline(db: WhisperDatabase, roomId: string, limit: number) {
  return db.transaction('r', timelineTables(db), async () => {
    const [messages, outbox, me, serverHasOlder, room, readSeq] = await Promise.all([
      messagesTable.newest(db, roomId, limit),
      outboxTable.ofRoom(db, roomId),
      metaTable.myUserId(db),
      metaTable.get<boolean>(db, MetaKey.hasOlder(roomId)),
      roomsTable.get(db, roomId),
      metaTable.get<number>(db, MetaKey.seenSeq(roomId)),
    ]);
    // The window is the newest `limit` messages: events older than its oldest message are outside it too.
    const events = await eventsTable.from(db, roomId, messages.length >= limit ? messages[0].seq : 0);
    const receipts = room?.receipts ?? [];
    const named = [...new Set([...peopleOf(messages, events, outbox), ...receipts.map((receipt) => receipt.user_id)])];
    const [users, files] = await Promise.all([usersTable.byIds(db, named), filesTable.byMessage(db, [...outbox.filter((row) => row.attachments?.length), ...messages.filter((m) => m.local_files)].map((row) => row.client_id!))]);
    const items = timelineEntries(messages, events, outbox, { me, users, kind: kindOf(room?.kind, roomId, outbox), receipts, files });
    // Older entries exist locally beyond the window, or on the server (unless
    // a history page said there are none, or seq 1 is already here).
    const oldest = Math.min(messages[0]?.seq ?? Infinity, events[0]?.seq ?? Infinity);
    const hasOlder = oldest !== Infinity && oldest > 1 && (messages.length >= limit || (serverHasOlder ?? true));
    const unread = readSeq !== undefined && (room?.last_seq ?? 0) > readSeq ? await messagesTable.countFromOthersAfter(db, roomId, readSeq, me) : 0;
    return { items, hasOlder, readSeq: readSeq ?? null, unread, unknownPeople: unknownAmong(users, named) };
  });
}

/**
 * No entries, while the first read is on its way and for an empty room: one
 * list, the same every time, so the first read of an empty room does not
 * render the (memoized) message list again.
 */
const NO_ITEMS: TimelineEntry[] = [];

export function useRoomTimeline(roomId: string, limit: number): RoomTimeline {
  const { db } = useEngine();
  const result = useLiveRead(() => readTimeline(db, roomId, limit), [db, roomId, limit]);
  return timelineOf(result);
}

function timelineOf(result: { items: TimelineEntry[]; hasOlder: boolean; readSeq: number | null; unread: number } | undefined): RoomTimeline {
  return {
    items: result?.items.length ? result.items : NO_ITEMS,
    hasOlder: result?.hasOlder ?? false,
    readSeq: result?.readSeq ?? null,
    unread: result?.unread ?? 0,
    loaded: result !== undefined,
  };
}

/** What a room's page shows: the room (null: not a room of yours; undefined while loading) and its timeline. */
export interface RoomPage {
  room: RoomView | null | undefined;
  timeline: RoomTimeline;
}

/** The room and its timeline in one read-only transaction (the two reads share it). */
export function readRoomPage(db: WhisperDatabase, roomId: string, limit: number) {
  return db.transaction('r', timelineTables(db), async () => {
    const [{ view, unknownPeople: unnamedMembers }, { unknownPeople, ...timeline }] = await Promise.all([readRoomView(db, roomId), readTimeline(db, roomId, limit)]);
    return { view, ...timeline, unknownPeople: [...new Set([...unnamedMembers, ...unknownPeople])] };
  });
}

/**
 * useRoom and useRoomTimeline as one live query: the page's reads re-run
 * together after a write (one transaction instead of two) and their results
 * arrive together (one render of the page instead of two).
 */
export function useRoomPage(roomId: string, limit: number): RoomPage {
  const { db } = useEngine();
  const result = useLiveRead(() => readRoomPage(db, roomId, limit), [db, roomId, limit]);
  return { room: result?.view, timeline: timelineOf(result) };
}
