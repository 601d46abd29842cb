import Dexie, { type EntityTable } from 'dexie';
import type { ChatMessage, ErrorCode } from '@whisper/protocol';

/**
 * Everything the client keeps: the room history cache (C8), the outbox of
 * unsent messages (C1) and a few settings. This is the only Dexie database
 * module; the service worker and every feature use it.
 */

/**
 * A message the server has stored (P4 fields), cached for offline reading.
 * `written_at` (own messages sent from this device): when the user wrote it,
 * the time shown beside it, which must not jump to the server's time.
 */
export type CachedMessage = ChatMessage & { written_at?: string };

/**
 * pending: queued, not on the wire; sending: written to a socket, awaiting
 * its ack; failed: rejected (P7) or never acknowledged (C6). Acked rows leave
 * the outbox and live on as CachedMessage.
 */
export type OutboxStatus = 'pending' | 'sending' | 'failed';

export interface OutboxItem {
  /** ULID minted at enqueue (C2); the primary key, so key order is enqueue order. */
  client_id: string;
  /**
   * The identity that wrote it (P1). Only that identity ever sends it: a
   * row written under one user_id and resent under another would be stored
   * twice if its first send had landed. Null when it was written before the
   * device had any identity; the first identity to flush takes it.
   */
  user_id: string | null;
  room_id: string;
  content: string;
  /** Local clock, ISO 8601: shown until the server's copy replaces the row. */
  created_at: string;
  status: OutboxStatus;
  /** Sends over a live socket that were not acked in time. */
  attempts: number;
  /** When the last send was written to a socket (ms since epoch). */
  sent_at: number | null;
  /** Which socket carried the last send; a newer socket means it was lost. */
  sent_on: string | null;
  error_code: ErrorCode | 'unconfirmed' | 'signed_out' | null;
  error_message: string | null;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class WhisperDatabase extends Dexie {
  messages!: EntityTable<CachedMessage, 'id'>;
  outbox!: EntityTable<OutboxItem, 'client_id'>;
  meta!: EntityTable<MetaRow, 'key'>;

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
  }
}

/** Meta keys. */
export const MetaKey = {
  /** {user_id, token} from the last hello (P1). */
  identity: 'identity',
  /** Highest seq up to which a room is known to be complete, per room. */
  syncedSeq: (roomId: string) => `synced-seq:${roomId}`,
  /** Whether older history exists on the server before the oldest cached message. */
  hasOlder: (roomId: string) => `has-older:${roomId}`,
  /** Unsent composer text, so a reload or an update never loses it. */
  draft: (roomId: string) => `draft:${roomId}`,
} as const;

export interface Identity {
  user_id: string;
  token: string;
}

export function openDatabase(name?: string): WhisperDatabase {
  const db = new WhisperDatabase(name);
  // Another tab opened a newer version of the schema: let it upgrade, and
  // reload to run the code that matches it (outbox rows are kept).
  db.on('versionchange', () => {
    db.close();
    if (typeof location !== 'undefined') location.reload();
    return false;
  });
  return db;
}
