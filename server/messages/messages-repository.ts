import type pg from 'pg';
import { monotonicFactory } from 'ulid';
import type { ChatMessage } from '../protocol/index.js';
import { FANOUT_CHANNEL } from '../realtime/pg-fanout.js';

export interface NewMessage {
  userId: string;
  clientId: string | null;
  content: string;
}

export interface StoredMessage {
  message: ChatMessage;
  /** false when (user_id, client_id) was already stored: a resend (S3). */
  created: boolean;
}

/** An item whose author is not a member of the room (M3): refused, never stored. */
export interface OutsiderItem {
  outsider: true;
}

export type WriteResult = StoredMessage | OutsiderItem;

export function isStored(result: WriteResult): result is StoredMessage {
  return !('outsider' in result);
}

export interface HistoryQuery {
  roomId: string;
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

export class UnknownRoomError extends Error {
  constructor(readonly roomId: string) {
    super(`room ${JSON.stringify(roomId)} does not exist`);
  }
}

/**
 * The room lock serialises resends within a room, but the same
 * (user_id, client_id) sent to two rooms at the same instant can collide on
 * the unique key (23505) or, inserted in opposite orders, deadlock (40P01).
 * A retry then finds the stored row.
 */
const RETRYABLE_CODES = new Set(['23505', '40P01']);
const INSERT_ATTEMPTS = 3;
/** Raised by store_messages() for a room that does not exist (or is deleted). */
const UNKNOWN_ROOM_SQLSTATE = 'WH404';
/** Raised by store_messages() when authors of the batch are not members; DETAIL lists them. */
const NOT_MEMBERS_SQLSTATE = 'WH403';

class OutsidersError extends Error {
  constructor(readonly userIds: Set<string>) {
    super('not members of the room');
  }
}

const MESSAGE_COLUMNS = 'id, seq, room_id, user_id, client_id, content, created_at';

interface MessageRow {
  id: string;
  seq: number;
  room_id: string;
  user_id: string;
  client_id: string | null;
  content: string;
  created_at: Date;
}

/** One row of store_messages() (migrations/002) per item sent. */
interface StoreRow {
  id: string;
  seq: number;
  /** Already in the wire format (ISO 8601, UTC, milliseconds). */
  created_at: string;
  created: boolean;
  /** Only for items the call did not create (resends). */
  content: string | null;
}

function toMessage(row: MessageRow): ChatMessage {
  return { ...row, created_at: row.created_at.toISOString() };
}

export function createMessagesRepository(pool: pg.Pool) {
  // Monotonic so that ids minted in the same millisecond still sort in seq order.
  const nextId = monotonicFactory();

  async function insertOnce(roomId: string, items: NewMessage[]): Promise<StoredMessage[]> {
    // Minted before the room lock is taken: within one process the writer
    // stores one batch per room at a time, so ids still rise with seq there.
    const ids = items.map(() => nextId());
    try {
      // One autocommitted statement (migrations/002): lock, resend lookup,
      // insert, seq counter and NOTIFY in one round trip; it returns only
      // after COMMIT (S4).
      const { rows } = await pool.query<StoreRow>(
        'SELECT * FROM store_messages($1, $2, $3::text[], $4::uuid[], $5::text[], $6::text[])',
        [
          FANOUT_CHANNEL,
          roomId,
          ids,
          items.map((item) => item.userId),
          items.map((item) => item.clientId),
          items.map((item) => item.content),
        ],
      );
      return rows.map((row, i) => ({
        message: {
          id: row.id,
          seq: row.seq,
          room_id: roomId,
          user_id: items[i].userId,
          client_id: items[i].clientId,
          content: row.content ?? items[i].content,
          created_at: row.created_at,
        },
        created: row.created,
      }));
    } catch (error) {
      const { code, detail } = error as { code?: string; detail?: string };
      if (code === UNKNOWN_ROOM_SQLSTATE) throw new UnknownRoomError(roomId);
      if (code === NOT_MEMBERS_SQLSTATE) throw new OutsidersError(new Set((detail ?? '').split(',')));
      throw error;
    }
  }

  return {
    /**
     * Stores a batch for one room in one transaction and returns one result
     * per item, in order. Resolves only after COMMIT (S4). Items of authors
     * who are not members (a batch of several senders, one of whom just
     * left) are refused, and the rest stored without them.
     */
    async insertBatch(roomId: string, items: NewMessage[]): Promise<WriteResult[]> {
      const results: WriteResult[] = new Array(items.length);
      let pending = items.map((item, index) => ({ item, index }));
      for (let attempt = 1; pending.length > 0; ) {
        try {
          const stored = await insertOnce(roomId, pending.map((p) => p.item));
          stored.forEach((result, i) => (results[pending[i].index] = result));
          break;
        } catch (error) {
          if (error instanceof OutsidersError) {
            // Each pass removes at least one author, so this ends.
            for (const p of pending) if (error.userIds.has(p.item.userId)) results[p.index] = { outsider: true };
            pending = pending.filter((p) => !error.userIds.has(p.item.userId));
            continue;
          }
          const retry = RETRYABLE_CODES.has((error as { code?: string }).code ?? '') && attempt < INSERT_ATTEMPTS;
          if (!retry) throw error;
          attempt++;
        }
      }
      return results;
    },

    /** P5/P6: a page of a room's messages, always returned in seq order. */
    async history({ roomId, afterSeq, beforeSeq, limit }: HistoryQuery): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
      const params: unknown[] = [roomId, limit + 1];
      const conditions = ['room_id = $1'];
      if (afterSeq !== undefined) conditions.push(`seq > $${params.push(afterSeq)}`);
      if (beforeSeq !== undefined) conditions.push(`seq < $${params.push(beforeSeq)}`);
      // Forward from a cursor reads upwards; otherwise the newest page is wanted.
      const forward = afterSeq !== undefined;
      const { rows } = await pool.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${conditions.join(' AND ')}
          ORDER BY seq ${forward ? 'ASC' : 'DESC'} LIMIT $2`,
        params,
      );
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      if (!forward) page.reverse();
      return { messages: page.map(toMessage), hasMore };
    },

    /** Which of these rooms the user may post to (M3), in one query however many are named. */
    async postableRooms(userId: string, roomIds: string[]): Promise<Set<string>> {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT r.id FROM rooms r WHERE r.id = ANY($2::text[]) AND r.deleted_at IS NULL
            AND (r.everyone OR EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = $1))`,
        [userId, roomIds],
      );
      return new Set(rows.map((row) => row.id));
    },
  };
}

export type MessagesRepository = ReturnType<typeof createMessagesRepository>;
