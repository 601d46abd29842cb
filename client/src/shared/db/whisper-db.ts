import Dexie, { type EntityTable } from 'dexie';
import type { ChatMessage, ErrorCode, LogEvent, Op, Room, User } from '@whisper/protocol';

/**
 * Everything the client keeps: the rooms of the user and the people in them,
 * each room's log (messages and events: C8), the outbox of unsent messages
 * and ops (C1) and a few settings. This is the only Dexie database module;
 * reads and writes go through the table modules beside it (*.table.ts).
 */

/**
 * A message the server has stored (P4 fields), cached for offline reading.
 * `written_at` (own messages sent from this device): when the user wrote it,
 * the time shown beside it, which must not jump to the server's time.
 */
export type CachedMessage = ChatMessage & {
  written_at?: string;
  /** F3: the files the server stored with it (its P4 copy carries them; absent on text messages). */
  attachments?: StoredAttachment[];
  /**
   * F2: an own message acked before its broadcast copy arrived: the ack
   * does not name the stored files, so they show from this device's `files`
   * rows (by client_id) until the copy replaces this row and drops them.
   */
  local_files?: true;
  /**
   * E5: the seq of the log entry that last set each part of the message's
   * state, on this device: `text` (edits and the delete) and one key per
   * user's emoji (reactions). Entries can arrive out of log order (a live
   * one before the catch-up page that holds an older one); an entry older
   * than the part's seq changes nothing. Absent: nothing applied yet.
   */
  versions?: Record<string, number>;
};

/**
 * F3: a file as the server stores it with a message (thumbhash base64;
 * waveform base64 of at most 64 levels; null where it does not apply).
 */
export interface StoredAttachment {
  id: string;
  kind: 'image' | 'audio';
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  thumbhash: string | null;
  waveform: string | null;
}

/** What an outbox message keeps of each of its files (the bytes are in the `files` table, F2). */
export interface OutboxAttachment {
  /** The FileRow's id. */
  file_id: string;
  kind: 'image' | 'audio';
  name: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  /** Base64, at most 64 levels (voice notes). */
  waveform: string | null;
  /** Set on the copy a flush plans (never stored here): the FileRow's upload_id, for the frame (F3). */
  upload_id?: string;
}

/**
 * F2: where a file's upload stands. queued: nothing on the server yet (or
 * not known); uploading: the server has an upload (upload_url) with
 * upload_offset bytes; done: every byte is there (upload_id names it);
 * refused: the server said no (413, 415), never retried by itself.
 */
export type FileState = 'queued' | 'uploading' | 'done' | 'refused';

/**
 * F2: a file picked, pasted, dropped or recorded, kept with its message
 * (client_id) from the moment it is queued, so that it survives reloads and
 * uploads whenever a connection exists.
 */
export interface FileRow {
  /** ULID minted at enqueue. */
  id: string;
  /** The outbox message it goes with. */
  client_id: string;
  /** The position among the message's files. */
  index: number;
  blob: Blob;
  name: string;
  mime: string;
  size: number;
  kind: 'image' | 'audio';
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  waveform: string | null;
  /** The tus upload's URL once created (F2: created once, then resumed). */
  upload_url: string | null;
  /** Bytes the server is known to have. */
  upload_offset: number;
  /** The last segment of upload_url: what the message names (F3). */
  upload_id: string | null;
  state: FileState;
}

/**
 * pending: queued, not on the wire; sending: written to a socket, awaiting
 * its ack; failed: rejected (P7) or never acknowledged (C6). Acked rows leave
 * the outbox: messages live on as CachedMessage, ops as their effect on the
 * `rooms` table.
 */
export type OutboxStatus = 'pending' | 'sending' | 'failed';

/** Omit over each member of a union (TypeScript's Omit would merge them). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A P11 op as the outbox keeps it: without `client_id`, which is the row's
 * own key (C2: minted once, at enqueue). The frame item is `{client_id, ...op}`.
 */
export type OutboxOp = DistributiveOmit<Op, 'client_id'>;

export interface OutboxItem {
  /** ULID minted at enqueue (C2); the primary key, so key order is enqueue order. */
  client_id: string;
  /**
   * `op` rows carry `op` and travel in `ops` frames (P11); absent on rows
   * written before there were ops: those are messages.
   */
  kind?: 'message' | 'op';
  /**
   * The identity that wrote it (P1). Only that identity ever sends it: a
   * row written under one user_id and resent under another would be stored
   * twice if its first send had landed. Null when it was written before the
   * device had any identity; the first identity to flush takes it.
   */
  user_id: string | null;
  /** The room it goes to; for an op, the same as `op.room_id`. */
  room_id: string;
  /** The message text; empty for an op. */
  content: string;
  /**
   * X1: the message this one replies to, as the frame names it: its server
   * id, or the client_id of the author's own message not acked when the
   * reply was written.
   */
  reply_to?: string;
  /** X1: the quote as it was when the reply was written, shown until the server's copy replaces the row. */
  quote?: LocalQuote;
  op?: OutboxOp;
  /** F2, F3: the message's files, in order; their bytes and upload state are FileRows. */
  attachments?: OutboxAttachment[];
  /**
   * Joining a public room this device has no copy of: the room as the
   * public list showed it, so it appears at once while the join is pending (C1).
   */
  room?: Room;
  /** Local clock, ISO 8601: shown until the server's copy replaces the row. */
  created_at: string;
  status: OutboxStatus;
  /** Sends over a live socket that were not acked in time. */
  attempts: number;
  /** When the last send was written to a socket (ms since epoch). */
  sent_at: number | null;
  /** Which socket carried the last send; a newer socket means it was lost. */
  sent_on: string | null;
  /** upload_refused: the upload server said no (413, 415); error_message has its words. */
  error_code: ErrorCode | 'unconfirmed' | 'signed_out' | 'upload_refused' | null;
  error_message: string | null;
}

/** What a pending reply shows of the message it quotes. */
export interface LocalQuote {
  id: string | null;
  client_id: string | null;
  user_id: string;
  seq: number | null;
  excerpt: string;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class WhisperDatabase extends Dexie {
  messages!: EntityTable<CachedMessage, 'id'>;
  outbox!: EntityTable<OutboxItem, 'client_id'>;
  meta!: EntityTable<MetaRow, 'key'>;
  /** The server's state of the user's rooms (M6), as of the last `rooms` frame plus the log since. */
  rooms!: EntityTable<Room, 'id'>;
  /** People by id (A5): names and colours, never a bare UUID on screen. */
  users!: EntityTable<User, 'id'>;
  /** Log entries that are not messages (E2), shown as notices (M4). */
  events!: EntityTable<LogEvent, 'id'>;
  /** F2: files waiting for (or in) their upload, with their outbox message. */
  files!: EntityTable<FileRow, 'id'>;

  constructor(name = 'whisper') {
    super(name);
    // Keep every old version() declaration when adding new ones: Dexie
    // upgrades users' databases step by step from whatever they have.
    this.version(1).stores({
      messages: 'id, [room_id+seq], client_id',
      outbox: 'client_id, room_id, status',
      meta: 'key',
    });
    // Outbox rows name the identity that wrote them. Rows from before that
    // were written by the identity stored then, if any.
    this.version(2)
      .stores({ outbox: 'client_id, room_id, status' })
      .upgrade(async (tx) => {
        const identity = (await tx.table<MetaRow, string>('meta').get(MetaKey.identity))?.value as Identity | undefined;
        await tx
          .table<OutboxItem, string>('outbox')
          .toCollection()
          .modify((row) => {
            row.user_id ??= identity?.user_id ?? null;
          });
      });
    // Many rooms (P6, M5). A device that had one room has read what it
    // synced: its seen position starts there, or an upgrade would greet the
    // user with the whole cached history as unread.
    this.version(3)
      .stores({ rooms: 'id', users: 'id', events: 'id, [room_id+seq]' })
      .upgrade(async (tx) => {
        const meta = tx.table<MetaRow, string>('meta');
        const cursors = await meta.where('key').startsWith(MetaKey.syncedSeq('')).toArray();
        await meta.bulkPut(cursors.map((row) => ({ key: MetaKey.seenSeq(row.key.slice(MetaKey.syncedSeq('').length)), value: row.value })));
      });
    // Files (F2): kept with their message until it is acked or deleted.
    this.version(4).stores({ files: 'id, client_id, state' });
  }
}

/** Meta keys. */
export const MetaKey = {
  /** {user_id, token} from the last hello (P1). */
  identity: 'identity',
  /**
   * When a hello's token last replaced the stored one (ms since epoch). Kept
   * beside the identity, not in it: live queries read the identity (who
   * "me" is), and this key changes without waking them.
   */
  identityRenewedAt: 'identity-renewed-at',
  /** Highest seq up to which a room's log is known to be complete, per room (the P6 cursor). */
  syncedSeq: (roomId: string) => `synced-seq:${roomId}`,
  /** Whether older history exists on the server before the oldest cached message. */
  hasOlder: (roomId: string) => `has-older:${roomId}`,
  /** Unsent composer text, so a reload or an update never loses it. */
  draft: (roomId: string) => `draft:${roomId}`,
  /** The newest seq this device has shown the user in a room: unread counts (M6). */
  seenSeq: (roomId: string) => `seen-seq:${roomId}`,
  /** The account of the identity, {user_id, username}, when it has one (A1, A2). */
  account: 'account',
  /** Tokens of sessions logged out while offline, revoked on the server once it is reachable (A4). */
  tokensToRevoke: 'tokens-to-revoke',
  /**
   * The highest client_id a flush has planned onto a socket: outbox rows up
   * to it may have reached the server (their `sending` mark is written
   * later, if at all), so editing or deleting one is an op, never a rewrite
   * of the row (X4).
   */
  flushedUpTo: 'flushed-up-to',
} as const;

/** MetaKey.account */
export interface AccountInfo {
  user_id: string;
  username: string;
}

export interface Identity {
  user_id: string;
  token: string;
}

export function openDatabase(name?: string): WhisperDatabase {
  const db = new WhisperDatabase(name);
  // Another tab opened a newer version of the schema: let it upgrade, and
  // reload to run the code that matches it (outbox rows are kept). In the
  // connection worker there is nothing to reload: its page reloads, and the
  // worker goes with it.
  db.on('versionchange', () => {
    db.close();
    if (typeof document !== 'undefined') location.reload();
    return false;
  });
  return db;
}
