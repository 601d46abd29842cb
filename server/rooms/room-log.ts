import type pg from 'pg';
import { selectCurrentMessages, toChatMessage, type CurrentMessageRow } from '../messages/message-state.js';
import type { ChatMessage, LogEvent } from '../protocol/index.js';

/** Anything in a room's log (E1): a message, or an entry that is not one (E2). */
export type LogEntry = ChatMessage | LogEvent;

export function isEvent(entry: LogEntry): entry is LogEvent {
  return 'kind' in entry;
}

interface EventRow {
  id: string;
  seq: number;
  room_id: string;
  user_id: string;
  client_id: string | null;
  kind: string;
  data: Record<string, unknown>;
  created_at: Date;
}

export function toLogEvent(row: EventRow): LogEvent {
  return {
    id: row.id,
    seq: row.seq,
    room_id: row.room_id,
    user_id: row.user_id,
    client_id: row.client_id,
    created_at: row.created_at.toISOString(),
    kind: row.kind,
    ...row.data,
  } as LogEvent;
}

/**
 * P6 and fan-out: the room's log after `afterSeq`, up to `limit` entries and
 * never past `lastSeq`, in seq order. Messages and other entries share the
 * room's seq space without gaps, so a window of seqs holds exactly the
 * entries it spans: one indexed range read on each table. Messages come as
 * they stand now (E4): a client that replays the window's edit, delete and
 * reaction entries on top of them ends where the log ends.
 */
export async function readLog(db: pg.Pool | pg.PoolClient, roomId: string, afterSeq: number, lastSeq: number, limit: number): Promise<LogEntry[]> {
  const until = Math.min(lastSeq, afterSeq + limit);
  if (until <= afterSeq) return [];
  const [messages, events] = await Promise.all([
    db.query<CurrentMessageRow>(selectCurrentMessages('m.room_id = $1 AND m.seq > $2 AND m.seq <= $3', 'ORDER BY m.seq'), [roomId, afterSeq, until]),
    db.query<EventRow>(
      `SELECT id, seq, room_id, user_id, client_id, kind, data, created_at FROM room_events
        WHERE room_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
      [roomId, afterSeq, until],
    ),
  ]);
  const entries: LogEntry[] = [
    ...messages.rows.map(toChatMessage),
    ...events.rows.map(toLogEvent),
  ];
  return entries.sort((a, b) => a.seq - b.seq);
}
