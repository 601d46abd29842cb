import { ATTACHMENTS_JSON } from '../media/media-repository.js';
import { REPLY_EXCERPT_LENGTH, type Attachment, type ChatMessage, type Reaction, type ReplyQuote } from '../protocol/index.js';

/**
 * E4: messages as they stand now, for every read (history P5, catch-up P6,
 * fan-out's reads, the REST twins' answers). The row holds the latest edit's
 * content and a tombstone's emptiness (migrations/006), so this is a read of
 * the row plus its quote and its reactions, never a replay of the log.
 *
 * Reactions come per emoji in the order each emoji's current run began and
 * with their people earliest first (message_reactions.since_seq and seq):
 * the order a client gets by applying react and unreact entries in seq
 * order, adding an emoji at the end and dropping it when its last person
 * leaves. A deleted message quotes nothing and has no reactions.
 */
const CURRENT_MESSAGE_SELECT = `
  SELECT m.id, m.seq, m.room_id, m.user_id, m.client_id, m.content, m.created_at, m.edited_at,
         m.deleted_at IS NOT NULL AS deleted,
         q.id AS quote_id, q.user_id AS quote_user_id, q.seq AS quote_seq,
         left(q.content, ${REPLY_EXCERPT_LENGTH}) AS quote_excerpt, q.deleted_at IS NOT NULL AS quote_deleted,
         (SELECT json_agg(json_build_object('emoji', e.emoji, 'count', e.n, 'user_ids', e.user_ids) ORDER BY e.since, e.emoji)
            FROM (SELECT r.emoji, min(r.since_seq) AS since, count(*)::int AS n, array_agg(r.user_id::text ORDER BY r.seq) AS user_ids
                    FROM message_reactions r WHERE r.message_id = m.id GROUP BY r.emoji) e) AS reactions,
         ${ATTACHMENTS_JSON} AS attachments
    FROM messages m
    LEFT JOIN messages q ON q.id = m.reply_to AND m.deleted_at IS NULL`;

/** The select above, for the messages `where` names (columns of `m`), with an ORDER BY / LIMIT tail. */
export function selectCurrentMessages(where: string, tail = ''): string {
  return `${CURRENT_MESSAGE_SELECT}\n   WHERE ${where} ${tail}`;
}

export interface CurrentMessageRow {
  id: string;
  seq: number;
  room_id: string;
  user_id: string;
  client_id: string | null;
  content: string;
  created_at: Date;
  edited_at: Date | null;
  deleted: boolean;
  quote_id: string | null;
  quote_user_id: string | null;
  quote_seq: number | null;
  quote_excerpt: string | null;
  quote_deleted: boolean;
  reactions: Reaction[] | null;
  /** F3: in the sender's order; null without any. */
  attachments: Attachment[] | null;
}

/** X1: a quote as the wire carries it; `deleted` only when it is (the excerpt is then empty). */
export function replyQuote(id: string, userId: string, seq: number, excerpt: string, deleted: boolean): ReplyQuote {
  return deleted ? { id, user_id: userId, seq, excerpt: '', deleted: true } : { id, user_id: userId, seq, excerpt };
}

/** P4 fields first; the optional ones only when they say something, so seed-style readers see what they always saw. */
export function toChatMessage(row: CurrentMessageRow): ChatMessage {
  const message: ChatMessage = {
    id: row.id,
    seq: row.seq,
    room_id: row.room_id,
    user_id: row.user_id,
    client_id: row.client_id,
    content: row.content,
    created_at: row.created_at.toISOString(),
  };
  if (row.deleted) return { ...message, content: '', deleted: true };
  if (row.quote_id !== null) message.reply_to = replyQuote(row.quote_id, row.quote_user_id!, row.quote_seq!, row.quote_excerpt!, row.quote_deleted);
  if (row.edited_at !== null) message.edited_at = row.edited_at.toISOString();
  if (row.reactions !== null) message.reactions = row.reactions;
  if (row.attachments !== null) message.attachments = row.attachments;
  return message;
}
