import { useLiveQuery } from 'dexie-react-hooks';
import { DEFAULT_ROOM_ID, OpName, RoomKind } from '@whisper/protocol';
import { eventsTable } from '../db/events.table';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import { isOpRow, outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { usersTable } from '../db/users.table';
import { MetaKey, type OutboxItem, type WhisperDatabase } from '../db/whisper-db';
import { useEngine } from './engine-context';
import { unknownAmong } from './names';
import type { TimelineEntry } from './timeline';
import { peopleOf, timelineEntries } from './timeline-entries';
import { useWantPeople } from './want-people';

export interface RoomTimeline {
  items: TimelineEntry[];
  hasOlder: boolean;
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

/**
 * The newest `limit` stored messages of the room and the events among them,
 * in seq order, then the room's outbox in enqueue order. Every table is read
 * in one live query, so an ack moving a row from the outbox to the history is
 * seen as one change (C5).
 */
export async function readTimeline(db: WhisperDatabase, roomId: string, limit: number) {
  const [messages, outbox, me, serverHasOlder, room] = await Promise.all([
    messagesTable.newest(db, roomId, limit),
    outboxTable.ofRoom(db, roomId),
    metaTable.myUserId(db),
    metaTable.get<boolean>(db, MetaKey.hasOlder(roomId)),
    roomsTable.get(db, roomId),
  ]);
  // The window is the newest `limit` messages: events older than its oldest message are outside it too.
  const events = await eventsTable.from(db, roomId, messages.length >= limit ? messages[0].seq : 0);
  const named = peopleOf(messages, events, outbox);
  const users = await usersTable.byIds(db, named);
  const items = timelineEntries(messages, events, outbox, { me, users, kind: kindOf(room?.kind, roomId, outbox) });
  // Older entries exist locally beyond the window, or on the server (unless
  // a history page said there are none, or seq 1 is already here).
  const oldest = Math.min(messages[0]?.seq ?? Infinity, events[0]?.seq ?? Infinity);
  const hasOlder = oldest !== Infinity && oldest > 1 && (messages.length >= limit || (serverHasOlder ?? true));
  return { items, hasOlder, unknownPeople: unknownAmong(users, named) };
}

export function useRoomTimeline(roomId: string, limit: number): RoomTimeline {
  const { db } = useEngine();
  const result = useLiveQuery(() => readTimeline(db, roomId, limit), [db, roomId, limit]);
  useWantPeople(result?.unknownPeople);
  return { items: result?.items ?? [], hasOlder: result?.hasOlder ?? false, loaded: result !== undefined };
}
