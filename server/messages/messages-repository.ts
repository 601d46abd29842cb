import type pg from 'pg';
import { monotonicFactory } from 'ulid';
import type { Attachment, ChatMessage } from '../protocol/index.js';
import { resolveUploads } from '../media/media-repository.js';
import { FANOUT_CHANNEL } from '../realtime/pg-fanout.js';
import { replyQuote, selectCurrentMessages, toChatMessage, type CurrentMessageRow } from './message-state.js';

export interface NewMessage {
  userId: string;
  clientId: string | null;
  content: string;
  /** X1: the quoted message: a server id, or the author's own client_id (store_messages resolves it). */
  replyTo?: string | null;
  /** F3: its attachments, resolved from the sender's finished uploads, in order. */
  attachments?: Attachment[];
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

export class OutsidersError extends Error {
  constructor(readonly userIds: Set<string>) {
    super('not members of the room');
  }
}

/** One row of store_messages() (migrations/006) per item sent. */
interface StoreRow {
  id: string;
  seq: number;
  /** Already in the wire format (ISO 8601, UTC, milliseconds). */
  created_at: string;
  created: boolean;
  /** Only for items the call did not create (resends). */
  content: string | null;
  /** X1: the quote as it stands, when the item's reply_to named a message; null otherwise. */
  reply_id: string | null;
  reply_user_id: string | null;
  reply_seq: number | null;
  reply_excerpt: string | null;
  reply_deleted: boolean | null;
}

/** P4: a message this call stored, as the broadcast carries it: nothing edited, deleted or reacted to yet. */
function storedMessage(row: StoreRow, roomId: string, item: NewMessage): ChatMessage {
  const message: ChatMessage = {
    id: row.id,
    seq: row.seq,
    room_id: roomId,
    user_id: item.userId,
    client_id: item.clientId,
    content: row.content ?? item.content,
    created_at: row.created_at,
  };
  if (row.reply_id !== null) message.reply_to = replyQuote(row.reply_id, row.reply_user_id!, row.reply_seq!, row.reply_excerpt!, row.reply_deleted === true);
  // A resend carries what it carried the first time (the same item, S3).
  if (item.attachments && item.attachments.length > 0) message.attachments = item.attachments;
  return message;
}

const STORE_MESSAGES = 'SELECT * FROM store_messages($1, $2, $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[])';

/**
 * F3: the same call, and the attachments of the messages it created in the
 * same statement (so the same transaction and the same single round trip;
 * migrations/009). A resend (created = false) stores none, so however often
 * an item is resent its attachments are stored once (S3). $8–$10 are
 * parallel arrays: the item's position in the batch (1-based), the
 * attachment's position in the item, and the media id.
 */
const STORE_MESSAGES_WITH_ATTACHMENTS = `
  WITH s AS (
    SELECT * FROM store_messages($1, $2, $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[])
      WITH ORDINALITY AS s(id, seq, created_at, created, content, reply_id, reply_user_id, reply_seq, reply_excerpt, reply_deleted, ord)
  ), attached AS (
    INSERT INTO message_attachments (message_id, position, media_id)
    SELECT s.id, t.position, t.media_id
      FROM s JOIN unnest($8::int[], $9::int[], $10::text[]) AS t(ord, position, media_id) ON t.ord = s.ord
     WHERE s.created
    ON CONFLICT DO NOTHING
  )
  SELECT id, seq, created_at, created, content, reply_id, reply_user_id, reply_seq, reply_excerpt, reply_deleted FROM s ORDER BY ord`;

export function createMessagesRepository(pool: pg.Pool) {
  // Monotonic so that ids minted in the same millisecond still sort in seq order.
  const nextId = monotonicFactory();

  async function insertOnce(db: pg.Pool | pg.PoolClient, roomId: string, items: NewMessage[]): Promise<StoredMessage[]> {
    // Minted before the room lock is taken: within one process the writer
    // stores one batch per room at a time, so ids still rise with seq there.
    const ids = items.map(() => nextId());
    try {
      // One autocommitted statement (migrations/002): lock, resend lookup,
      // insert, seq counter and NOTIFY in one round trip; it returns only
      // after COMMIT (S4).
      const params = [
        FANOUT_CHANNEL,
        roomId,
        ids,
        items.map((item) => item.userId),
        items.map((item) => item.clientId),
        items.map((item) => item.content),
        items.map((item) => item.replyTo ?? null),
      ];
      const attached = items.flatMap((item, i) => (item.attachments ?? []).map((attachment, position) => ({ ord: i + 1, position, mediaId: attachment.id })));
      const { rows } = await db.query<StoreRow>(
        attached.length === 0 ? STORE_MESSAGES : STORE_MESSAGES_WITH_ATTACHMENTS,
        attached.length === 0
          ? params
          : [...params, attached.map((a) => a.ord), attached.map((a) => a.position), attached.map((a) => a.mediaId)],
      );
      return rows.map((row, i) => ({ message: storedMessage(row, roomId, items[i]), created: row.created }));
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
          const stored = await insertOnce(pool, roomId, pending.map((p) => p.item));
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

    /**
     * The same store, inside the caller's open transaction, for a writer that
     * must commit something else with its message (the bot deletes the job
     * its reply answers: B2). Nothing is retried: an error leaves the
     * transaction to be rolled back. Throws UnknownRoomError, or an error
     * when an author is not a member.
     */
    insertWithin(client: pg.PoolClient, roomId: string, items: NewMessage[]): Promise<StoredMessage[]> {
      return insertOnce(client, roomId, items);
    },

    /** P5: a page of a room's messages as they stand now (E4), always returned in seq order. */
    async history({ roomId, afterSeq, beforeSeq, limit }: HistoryQuery): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
      const params: unknown[] = [roomId, limit + 1];
      const conditions = ['m.room_id = $1'];
      if (afterSeq !== undefined) conditions.push(`m.seq > $${params.push(afterSeq)}`);
      if (beforeSeq !== undefined) conditions.push(`m.seq < $${params.push(beforeSeq)}`);
      // Forward from a cursor reads upwards; otherwise the newest page is wanted.
      const forward = afterSeq !== undefined;
      const { rows } = await pool.query<CurrentMessageRow>(
        selectCurrentMessages(conditions.join(' AND '), `ORDER BY m.seq ${forward ? 'ASC' : 'DESC'} LIMIT $2`),
        params,
      );
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      if (!forward) page.reverse();
      return { messages: page.map(toChatMessage), hasMore };
    },

    /** The room a message is in (whoever asks: the op that follows checks membership), or null. */
    async roomOf(messageId: string): Promise<string | null> {
      const { rows } = await pool.query<{ room_id: string }>('SELECT room_id FROM messages WHERE id = $1', [messageId]);
      return rows[0]?.room_id ?? null;
    },

    /** E4: one message as it stands now, if the user may see its room (M3); else null. */
    async visibleMessage(userId: string, messageId: string): Promise<ChatMessage | null> {
      const { rows } = await pool.query<CurrentMessageRow>(
        selectCurrentMessages(
          `m.id = $2 AND EXISTS (SELECT 1 FROM rooms r WHERE r.id = m.room_id AND r.deleted_at IS NULL
             AND (r.everyone OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = r.id AND rm.user_id = $1)))`,
        ),
        [userId, messageId],
      );
      return rows[0] ? toChatMessage(rows[0]) : null;
    },

    /** F3: see media-repository.ts. */
    resolveUploads: (userId: string, uploadIds: string[]) => resolveUploads(pool, userId, uploadIds),

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
