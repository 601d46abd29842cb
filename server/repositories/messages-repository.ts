import type pg from 'pg';
import { monotonicFactory } from 'ulid';
import type { ChatMessage } from '../protocol.js';

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

export interface HistoryQuery {
  roomId: string;
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

/** LISTEN/NOTIFY channel on which every commit of new messages is announced (S6). */
export const FANOUT_CHANNEL = 'whisper_messages';

/**
 * The notification payload: ids, not bodies, to stay far below the 8000-byte
 * NOTIFY limit whatever the messages hold. Seqs a..b of room r were committed.
 * Sent by store_messages() (migrations/002) inside the storing transaction.
 */
export interface CommitNotice {
  r: string;
  a: number;
  b: number;
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
/** Raised by store_messages() for a room that does not exist. */
const UNKNOWN_ROOM_SQLSTATE = 'WH404';

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
      if ((error as { code?: string }).code === UNKNOWN_ROOM_SQLSTATE) throw new UnknownRoomError(roomId);
      throw error;
    }
  }

  return {
    /**
     * Stores a batch for one room in one transaction and returns one result
     * per item, in order. Resolves only after COMMIT (S4).
     */
    async insertBatch(roomId: string, items: NewMessage[]): Promise<StoredMessage[]> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await insertOnce(roomId, items);
        } catch (error) {
          const retry = RETRYABLE_CODES.has((error as { code?: string }).code ?? '') && attempt < INSERT_ATTEMPTS;
          if (!retry) throw error;
        }
      }
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

    /** Which of these rooms exist, in one query however many are named. */
    async existingRooms(roomIds: string[]): Promise<Set<string>> {
      const { rows } = await pool.query<{ id: string }>('SELECT id FROM rooms WHERE id = ANY($1::text[])', [roomIds]);
      return new Set(rows.map((row) => row.id));
    },

    /** The room's newest seq, or null when there is no such room. */
    async lastSeq(roomId: string): Promise<number | null> {
      const { rows } = await pool.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [roomId]);
      return rows[0]?.last_seq ?? null;
    },
  };
}

export type MessagesRepository = ReturnType<typeof createMessagesRepository>;
