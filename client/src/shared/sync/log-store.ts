import { OpName, type ChatMessage, type LogEvent, type MessageEvent, type Room, type RoomsFrame } from '@whisper/protocol';
import { eventsTable } from '../db/events.table';
import { filesTable } from '../db/files.table';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import { isOpRow, outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { usersTable } from '../db/users.table';
import { MetaKey, type CachedMessage, type WhisperDatabase } from '../db/whisper-db';
import { forgetRoom, logScope } from './room-tables';
import { isListedHistory } from './room-cursors';
import { applyMessageEvents } from './message-cache';
import { isMessageEvent, mergeServerCopy } from './message-state';
import { applyEvent, applyMessage, roomsLeft } from './room-state';

/**
 * The room logs as this device has them (C8, E1, M5): messages and events,
 * the `rooms` table they keep up to date, and each room's positions (the
 * sync cursor, whether older history exists, what the user has seen).
 */

export interface LogStoreOptions {
  /** People named in what was just stored, for whom the device may have no name yet (A5). */
  onPeopleSeen?: (userIds: string[]) => void;
}

type Entry = { message: ChatMessage; event?: never; seq: number; room: string } | { event: LogEvent; message?: never; seq: number; room: string };

/** Log entries in the order they happened: per room, by seq. */
function inLogOrder(messages: ChatMessage[], events: LogEvent[]): Entry[] {
  return [
    ...messages.map((message) => ({ message, seq: message.seq, room: message.room_id })),
    ...events.map((event) => ({ event, seq: event.seq, room: event.room_id })),
  ].sort((a, b) => (a.room === b.room ? a.seq - b.seq : a.room < b.room ? -1 : 1));
}

function peopleIn(messages: ChatMessage[], events: LogEvent[]): string[] {
  const ids = new Set(messages.map((message) => message.user_id));
  for (const event of events) {
    ids.add(event.user_id);
    if (event.kind === 'member') {
      for (const id of event.user_ids) ids.add(id);
      if (event.owner_id) ids.add(event.owner_id);
    }
  }
  return [...ids];
}

export function createLogStore(db: WhisperDatabase, { onPeopleSeen }: LogStoreOptions = {}) {
  /**
   * The server's copy of an own message carries the time it was stored; the
   * author keeps seeing the time they wrote it (from the outbox row, or from
   * the copy the ack already cached).
   */
  async function keepWrittenTimes(messages: CachedMessage[], mine: ChatMessage[], cached: Map<string, CachedMessage>): Promise<CachedMessage[]> {
    const rows = await outboxTable.bulkGet(db, mine.map((m) => m.client_id!));
    const written = new Map<string, string>();
    mine.forEach((m, i) => {
      const at = cached.get(m.id)?.written_at ?? rows[i]?.created_at;
      if (at !== undefined) written.set(m.id, at);
    });
    return messages.map((m) => (written.has(m.id) ? { ...m, written_at: written.get(m.id) } : m));
  }

  /**
   * The server's copies as this device keeps them: a message it has already
   * applied entries to keeps the state they gave it (mergeServerCopy), and
   * own messages keep the time they were written.
   */
  async function asCached(messages: ChatMessage[], me: string | undefined): Promise<CachedMessage[]> {
    if (messages.length === 0) return messages;
    const existing = await messagesTable.bulkGet(db, messages.map((m) => m.id));
    const cached = new Map(existing.filter((m): m is CachedMessage => m !== undefined).map((m) => [m.id, m]));
    const merged = cached.size === 0 ? messages : messages.map((m) => mergeServerCopy(m, cached.get(m.id)));
    const mine = messages.filter((m) => m.user_id === me && m.client_id !== null);
    return mine.length > 0 ? keepWrittenTimes(merged, mine, cached) : merged;
  }

  /**
   * Applies stored entries to the rooms they belong to; null marks a room
   * the user no longer has. Entries a `rooms` frame's listing already
   * includes (`listed`) change nothing: the room was stored as it stood then.
   */
  async function applyToRooms(all: Entry[], me: string | undefined, listed: Record<string, number>): Promise<Map<string, Room | null>> {
    const changed = new Map<string, Room | null>();
    const entries = all.filter((entry) => !isListedHistory(listed, { room_id: entry.room, seq: entry.seq }));
    const left = roomsLeft(entries.flatMap((entry) => (entry.event ? [entry.event] : [])), me);
    for (const entry of entries) {
      const room = changed.has(entry.room) ? changed.get(entry.room)! : await roomsTable.get(db, entry.room);
      // Dropped by an earlier entry of this batch: the server sends nothing after that.
      if (room === null) continue;
      // Left and back in again within the batch: leaving is only a change of members there.
      const next = entry.message ? room && applyMessage(room, entry.message) : applyEvent(room, entry.event, left.has(entry.room) ? me : undefined);
      if (next !== undefined) changed.set(entry.room, next);
    }
    return changed;
  }

  /**
   * Stores log entries from the server (P4, P6, E2) and moves each room's
   * cursor in `cursors` with them, in one transaction: a cursor never points
   * past an entry that was not stored. Own messages and own ops leave the
   * outbox in the same transaction (C5: whichever of ack and broadcast comes
   * first). Events update their room (name, members, owner, activity), and
   * one that takes the room away from the user drops it with its cache, after
   * it was stored (M4).
   */
  async function storeEntries(
    entries: { messages?: ChatMessage[]; events?: LogEvent[] },
    cursors: Record<string, number> = {},
    listed: Record<string, number> = {},
  ): Promise<void> {
    const messages = entries.messages ?? [];
    const events = entries.events ?? [];
    if (messages.length === 0 && events.length === 0 && Object.keys(cursors).length === 0) return;
    await db.transaction('rw', logScope(db), async () => {
      const me = await metaTable.myUserId(db);
      const mine = messages.filter((m) => m.user_id === me && m.client_id !== null);
      await messagesTable.bulkPut(db, await asCached(messages, me));
      // Edits, deletes and reactions change their message (E5); the rest are the timeline's notices.
      await eventsTable.bulkPut(db, events.filter((event) => !isMessageEvent(event)));
      await applyMessageEvents(db, inLogOrder([], events.filter(isMessageEvent)).map((entry) => entry.event as MessageEvent), me);
      const ownOps = events.filter((e) => e.user_id === me && e.client_id !== null).map((e) => e.client_id!);
      await outboxTable.bulkDelete(db, [...mine.map((m) => m.client_id!), ...ownOps]);
      // F2: their files are on the server now (the copy names them).
      await filesTable.deleteOfMessages(db, mine.map((m) => m.client_id!));
      const rooms = await applyToRooms(inLogOrder(messages, events), me, listed);
      for (const [roomId, seq] of Object.entries(cursors)) {
        if (rooms.get(roomId) !== null) await metaTable.set(db, MetaKey.syncedSeq(roomId), seq);
      }
      for (const [roomId, room] of rooms) {
        if (room === null) await forgetRoom(db, roomId);
        else await roomsTable.put(db, room);
      }
    });
    if (messages.length > 0 || events.length > 0) onPeopleSeen?.(peopleIn(messages, events));
  }

  return {
    storeEntries,

    /** Messages only (history pages, P5), optionally moving one room's cursor with them. */
    storeMessages: (messages: ChatMessage[], cursor?: { roomId: string; syncedSeq: number }) =>
      storeEntries({ messages }, cursor ? { [cursor.roomId]: cursor.syncedSeq } : {}),

    /**
     * M5: every room the user is in now, and the people they name. A room
     * this device had that the list lacks was left, deleted or is not the
     * user's: it goes with its cache, unless this device is still creating it
     * (its room.create is in the outbox and the server has not seen it yet).
     */
    async storeRooms(frame: Pick<RoomsFrame, 'data' | 'users'>): Promise<void> {
      await db.transaction('rw', logScope(db), async () => {
        const listed = new Set(frame.data.map((room) => room.id));
        const cursors = await metaTable.byPrefix<number>(db, MetaKey.syncedSeq(''));
        const local = new Set([...(await roomsTable.ids(db)), ...cursors.keys()]);
        const creating = new Set((await outboxTable.inOrder(db)).filter((row) => isOpRow(row) && row.op.op === OpName.RoomCreate).map((row) => row.room_id));
        for (const roomId of local) {
          if (!listed.has(roomId) && !creating.has(roomId)) await forgetRoom(db, roomId);
        }
        await roomsTable.bulkPut(db, frame.data);
        await usersTable.bulkPut(db, frame.users);
        // L3: what the user read on another device is read here too.
        const seen = await metaTable.byPrefix<number>(db, MetaKey.seenSeq(''));
        for (const room of frame.data) {
          const here = seen.get(room.id);
          if (room.read_seq !== undefined && (here === undefined || room.read_seq > here)) await metaTable.set(db, MetaKey.seenSeq(room.id), room.read_seq);
        }
      });
      const named = new Set(frame.users.map((user) => user.id));
      const people = frame.data.flatMap((room) => [...room.members, ...(room.last_message ? [room.last_message.user_id] : [])]);
      onPeopleSeen?.([...new Set(people)].filter((id) => !named.has(id)));
    },

    /**
     * P6: the room's log is complete up to `seq`. A room new to this device
     * (`fresh`: the sync did not name it) came as its newest page: whether
     * older entries exist is noted for paging back. What is unread there is
     * the server's word (the `rooms` frame's read_seq, stored before this);
     * from a server that keeps no read markers, nothing is.
     */
    async markSynced(roomId: string, seq: number, fresh?: { hasOlder: boolean }): Promise<void> {
      await db.transaction('rw', db.meta, async () => {
        await metaTable.set(db, MetaKey.syncedSeq(roomId), seq);
        if (!fresh) return;
        await metaTable.set(db, MetaKey.hasOlder(roomId), fresh.hasOlder);
        if ((await metaTable.get<number>(db, MetaKey.seenSeq(roomId))) === undefined) await metaTable.set(db, MetaKey.seenSeq(roomId), seq);
      });
    },

    /** Every room's P6 cursor on this device: what one `sync {rooms}` names (M5). */
    async cursors(): Promise<Record<string, number>> {
      return Object.fromEntries(await metaTable.byPrefix<number>(db, MetaKey.syncedSeq('')));
    },
    syncedSeq: (roomId: string) => metaTable.get<number>(db, MetaKey.syncedSeq(roomId)),
    setSyncedSeq: (roomId: string, seq: number) => metaTable.set(db, MetaKey.syncedSeq(roomId), seq),

    /** The oldest cached position of a room's log (a message or an event), for paging back (P5 before_seq). */
    async oldestSeq(roomId: string): Promise<number | undefined> {
      const seqs = (await Promise.all([messagesTable.oldestSeq(db, roomId), eventsTable.oldestSeq(db, roomId)])).filter((seq) => seq !== undefined);
      return seqs.length > 0 ? Math.min(...seqs) : undefined;
    },
    async hasOlder(roomId: string): Promise<boolean> {
      return (await metaTable.get<boolean>(db, MetaKey.hasOlder(roomId))) ?? true;
    },
    setHasOlder: (roomId: string, value: boolean) => metaTable.set(db, MetaKey.hasOlder(roomId), value),

    seenSeq: (roomId: string) => metaTable.get<number>(db, MetaKey.seenSeq(roomId)),
  };
}

export type LogStore = ReturnType<typeof createLogStore>;
