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

function toMessage(row: MessageRow): ChatMessage {
  return { ...row, created_at: row.created_at.toISOString() };
}

function identityKey(userId: string, clientId: string): string {
  return `${userId}/${clientId}`;
}

export function createMessagesRepository(pool: pg.Pool) {
  // Monotonic so that ids minted in the same millisecond still sort in seq order.
  const nextId = monotonicFactory();

  async function insertOnce(roomId: string, items: NewMessage[]): Promise<StoredMessage[]> {
    const client = await pool.connect();
    // A checked-out client has no pool listener: without one, a connection
    // lost mid-transaction (database restart, failover) would be an uncaught
    // 'error' event and take the process down. The failed query rejects anyway.
    const onError = () => undefined;
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      // S2: the row lock is held until COMMIT, so seqs are handed out in
      // commit order and a rolled-back batch gives its seqs back.
      const room = await client.query<{ last_seq: number }>(
        'SELECT last_seq FROM rooms WHERE id = $1 FOR UPDATE',
        [roomId],
      );
      if (room.rowCount === 0) throw new UnknownRoomError(roomId);
      let lastSeq = room.rows[0].last_seq;

      // S3: look up resends after taking the lock, so a concurrent first send
      // of the same client_id is already committed and visible here.
      const keyed = items.filter((item) => item.clientId !== null);
      const stored = new Map<string, ChatMessage>();
      if (keyed.length > 0) {
        const existing = await client.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages
            WHERE (user_id, client_id) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
          [keyed.map((item) => item.userId), keyed.map((item) => item.clientId)],
        );
        for (const row of existing.rows) stored.set(identityKey(row.user_id, row.client_id!), toMessage(row));
      }

      const results: StoredMessage[] = [];
      const fresh: ChatMessage[] = [];
      const createdAt = new Date().toISOString();
      for (const item of items) {
        const key = item.clientId === null ? null : identityKey(item.userId, item.clientId);
        const previous = key === null ? undefined : stored.get(key);
        if (previous) {
          results.push({ message: previous, created: false });
          continue;
        }
        const message: ChatMessage = {
          id: nextId(),
          seq: ++lastSeq,
          room_id: roomId,
          user_id: item.userId,
          client_id: item.clientId,
          content: item.content,
          created_at: createdAt,
        };
        fresh.push(message);
        // A client_id repeated inside one batch is the same message.
        if (key !== null) stored.set(key, message);
        results.push({ message, created: true });
      }

      if (fresh.length > 0) {
        // One multi-row insert for the whole batch (group commit).
        const inserted = await client.query<{ created_at: Date }>(
          `INSERT INTO messages (id, room_id, seq, user_id, client_id, content)
           SELECT t.id, $1, t.seq, t.user_id, t.client_id, t.content
             FROM unnest($2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::text[])
               AS t(id, seq, user_id, client_id, content)
           RETURNING created_at`,
          [
            roomId,
            fresh.map((m) => m.id),
            fresh.map((m) => m.seq),
            fresh.map((m) => m.user_id),
            fresh.map((m) => m.client_id),
            fresh.map((m) => m.content),
          ],
        );
        // The database clock is the one history will show; use it everywhere.
        const committedAt = inserted.rows[0].created_at.toISOString();
        for (const message of fresh) message.created_at = committedAt;
        await client.query('UPDATE rooms SET last_seq = $2 WHERE id = $1', [roomId, lastSeq]);
        // S6: every instance hears about the commit, in commit order, once it
        // is durable (NOTIFY is delivered at COMMIT, never for a rollback).
        const notice: CommitNotice = { r: roomId, a: fresh[0].seq, b: lastSeq };
        await client.query('SELECT pg_notify($1, $2)', [FANOUT_CHANNEL, JSON.stringify(notice)]);
      }
      await client.query('COMMIT');
      return results;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release();
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
