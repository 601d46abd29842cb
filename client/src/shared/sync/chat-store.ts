import { monotonicFactory } from 'ulid';
import type { AckFrame, ChatMessage, RejectedFrame } from '@whisper/protocol';
import { MetaKey, type CachedMessage, type Identity, type OutboxItem, type WhisperDatabase } from '../db/whisper-db';

/**
 * Every read and write the sync engine makes to IndexedDB. Multi-table
 * changes happen in one transaction, so a live query never sees a message
 * both in the outbox and in the history, or in neither (C5).
 */

/** Longest batch the client puts in one frame; the server accepts up to MAX_BATCH_SIZE. */
export const FLUSH_BATCH_SIZE = 100;
/**
 * Most items one socket carries unacked (ten full frames). A reconnect with
 * a long offline queue sends this much at once; the rest follows as acks and
 * rejections free room, so one slow socket never holds the whole outbox in
 * its buffers.
 */
export const FLUSH_WINDOW = FLUSH_BATCH_SIZE * 10;

export interface FlushPlan {
  /** Items to (re)send now, in enqueue order (C4), as they will read once marked `sending`. */
  items: OutboxItem[];
  /** More were due than the window had room for: plan again when an ack frees some. */
  more: boolean;
}

/** A fresh outbox row: queued, never sent, owned by `userId` (null: the device has no identity yet). */
export function pendingItem(clientId: string, roomId: string, content: string, createdAt: string, userId: string | null = null): OutboxItem {
  return {
    client_id: clientId,
    user_id: userId,
    room_id: roomId,
    content,
    created_at: createdAt,
    status: 'pending',
    attempts: 0,
    sent_at: null,
    sent_on: null,
    error_code: null,
    error_message: null,
  };
}

/** Whether `userId` may send this row: its writer, or anyone for a row written before the device had an identity. */
function ownedBy(item: OutboxItem, userId: string | undefined): boolean {
  return item.user_id === null || item.user_id === userId;
}

export function createChatStore(db: WhisperDatabase) {
  // Monotonic: two messages typed in the same millisecond keep their order.
  const nextClientId = monotonicFactory();

  const setMeta = (key: string, value: unknown) => db.meta.put({ key, value });
  const getMeta = async <T>(key: string): Promise<T | undefined> => (await db.meta.get(key))?.value as T | undefined;

  async function myUserId(): Promise<string | undefined> {
    return (await getMeta<Identity>(MetaKey.identity))?.user_id;
  }

  /**
   * The server's copy of an own message carries the time it was stored; the
   * author keeps seeing the time they wrote it (from the outbox row, or from
   * the copy the ack already cached).
   */
  async function keepWrittenTimes(messages: ChatMessage[], mine: ChatMessage[]): Promise<CachedMessage[]> {
    const [rows, cached] = await Promise.all([db.outbox.bulkGet(mine.map((m) => m.client_id!)), db.messages.bulkGet(mine.map((m) => m.id))]);
    const written = new Map<string, string>();
    mine.forEach((m, i) => {
      const at = cached[i]?.written_at ?? rows[i]?.created_at;
      if (at !== undefined) written.set(m.id, at);
    });
    return messages.map((m) => (written.has(m.id) ? { ...m, written_at: written.get(m.id) } : m));
  }

  /**
   * Stores server messages; own ones leave the outbox in the same
   * transaction (C5), and the room's sync cursor moves with them so it can
   * never point past a message that was not stored.
   */
  async function storeMessages(messages: ChatMessage[], cursor?: { roomId: string; syncedSeq: number }): Promise<void> {
    if (messages.length === 0 && !cursor) return;
    await db.transaction('rw', db.messages, db.outbox, db.meta, async () => {
      const me = await myUserId();
      const mine = messages.filter((m) => m.user_id === me && m.client_id !== null);
      await db.messages.bulkPut(mine.length > 0 ? await keepWrittenTimes(messages, mine) : messages);
      if (mine.length > 0) await db.outbox.bulkDelete(mine.map((m) => m.client_id!));
      if (cursor) await setMeta(MetaKey.syncedSeq(cursor.roomId), cursor.syncedSeq);
    });
  }

  return {
    /** C1, C2: the message exists on this device before anything touches the network. */
    async enqueue(roomId: string, content: string): Promise<OutboxItem> {
      return db.transaction('rw', db.outbox, db.meta, async () => {
        const item = pendingItem(nextClientId(), roomId, content, new Date().toISOString(), (await myUserId()) ?? null);
        await db.outbox.add(item);
        return item;
      });
    },

    /**
     * Picks what to send on socket `socketId` now: everything pending, plus
     * anything sent on an earlier socket (lost with it) or sent on this one
     * but unacked for longer than `ackTimeoutMs` (C4), as far as the socket's
     * window has room. An item that has gone unacked `maxAttempts` times over
     * live sockets is marked failed here (C6); the picked ones are marked
     * `sending` by markSending once they are on the wire.
     */
    async planFlush(socketId: string, userId: string, now: number, ackTimeoutMs: number, maxAttempts: number): Promise<FlushPlan> {
      return db.transaction('rw', db.outbox, async () => {
        // One read in key order (= enqueue order); failed rows are skipped
        // below. A status-index query would walk a cursor row by row.
        const candidates = await db.outbox.orderBy('client_id').toArray();
        const due: OutboxItem[] = [];
        const failed: OutboxItem[] = [];
        const claimed: OutboxItem[] = [];
        let inFlight = 0;
        for (const row of candidates) {
          // Another identity's work waits for that identity (P1).
          if (row.status === 'failed' || !ownedBy(row, userId)) continue;
          // Written before the device had an identity: it is this one's now,
          // for good, before it goes out under it.
          const item = row.user_id === null ? { ...row, user_id: userId } : row;
          if (row.user_id === null) claimed.push(item);
          const lostWithSocket = item.status === 'sending' && item.sent_on !== socketId;
          const ackOverdue = item.status === 'sending' && item.sent_on === socketId && item.sent_at !== null && now - item.sent_at >= ackTimeoutMs;
          if (item.status === 'sending' && !lostWithSocket && !ackOverdue) {
            inFlight++;
            continue;
          }
          if (ackOverdue && item.attempts + 1 >= maxAttempts) {
            failed.push({
              ...item,
              status: 'failed',
              attempts: item.attempts + 1,
              error_code: 'unconfirmed',
              error_message: 'The server did not confirm this message.',
            });
            continue;
          }
          due.push({
            ...item,
            status: 'sending',
            attempts: ackOverdue ? item.attempts + 1 : item.attempts,
            sent_at: now,
            sent_on: socketId,
          });
        }
        if (claimed.length > 0) await db.outbox.bulkPut(claimed);
        if (failed.length > 0) await db.outbox.bulkPut(failed);
        const room = Math.max(0, FLUSH_WINDOW - inFlight);
        return { items: due.slice(0, room), more: due.length > room };
      });
    },

    /**
     * Records that a plan's items went out on their socket. Written after the
     * frames, not before, and by the machine only for items still unanswered
     * a while later (MARK_SENDING_DELAY_MS): marking a long queue is a bulk
     * write that would hold the flush back, and promptly acked rows leave the
     * outbox anyway. Until it lands a row reads as before (`pending`, or
     * `sending` on an earlier socket), which a crash leaves resendable, as a
     * new socket would anyway. A row acked, rejected
     * or deleted meanwhile is left as it is.
     */
    async markSending(items: OutboxItem[]): Promise<void> {
      if (items.length === 0) return;
      const planned = new Map(items.map((item) => [item.client_id, item]));
      const ids = [...planned.keys()].sort();
      await db.transaction('rw', db.outbox, async () => {
        // One range read rather than a get per row (bulkGet).
        const rows = await db.outbox.where(':id').between(ids[0], ids[ids.length - 1], true, true).toArray();
        const marks: OutboxItem[] = [];
        for (const row of rows) {
          const item = planned.get(row.client_id);
          if (!item || row.status === 'failed') continue;
          marks.push({ ...row, status: 'sending', attempts: item.attempts, sent_at: item.sent_at, sent_on: item.sent_on });
        }
        await db.outbox.bulkPut(marks);
      });
    },

    storeMessages,

    /** P3 → C5: the acked rows become stored messages with the server's id and seq. */
    async applyAck(ack: AckFrame): Promise<void> {
      await db.transaction('rw', db.messages, db.outbox, db.meta, async () => {
        const me = await myUserId();
        const clientIds = ack.client_ids.filter((id): id is string => id !== null);
        const rows = await db.outbox.bulkGet(clientIds);
        const byClientId = new Map(rows.filter((row): row is OutboxItem => row !== undefined).map((row) => [row.client_id, row]));
        const messages: CachedMessage[] = [];
        ack.client_ids.forEach((clientId, i) => {
          const row = clientId === null ? undefined : byClientId.get(clientId);
          // Without its outbox row (the broadcast came first, or another tab
          // handled it) there is nothing to add: the broadcast carries it all.
          if (!row || !me) return;
          messages.push({
            id: ack.message_ids[i],
            seq: ack.seqs[i],
            room_id: row.room_id,
            user_id: row.user_id ?? me,
            client_id: row.client_id,
            content: row.content,
            created_at: row.created_at,
            written_at: row.created_at,
          });
        });
        // Never overwrite a broadcast copy (it has the server's timestamp).
        const existing = await db.messages.bulkGet(messages.map((m) => m.id));
        await db.messages.bulkAdd(messages.filter((_, i) => existing[i] === undefined));
        await db.outbox.bulkDelete([...byClientId.keys()]);
      });
    },

    /** P7 → C6: failed, with the server's reason; never resent automatically. */
    async applyRejection(frame: RejectedFrame): Promise<void> {
      await db.transaction('rw', db.outbox, async () => {
        for (const clientId of frame.client_ids) {
          await db.outbox.update(clientId, { status: 'failed', error_code: frame.code, error_message: frame.message });
        }
      });
    },

    /** C6: Retry keeps the client_id (C2), so a resend can never duplicate. */
    async retry(clientId: string): Promise<void> {
      await db.transaction('rw', db.outbox, db.meta, async () => {
        const row = await db.outbox.get(clientId);
        // Another identity's row would only wait for its writer forever.
        if (!row || !ownedBy(row, await myUserId())) return;
        await db.outbox.update(clientId, { status: 'pending', attempts: 0, sent_at: null, sent_on: null, error_code: null, error_message: null });
      });
    },

    /** C6: Delete removes a failed message from the outbox for good. */
    async remove(clientId: string): Promise<void> {
      await db.outbox.delete(clientId);
    },

    async unsentCount(): Promise<number> {
      return db.outbox.where('status').anyOf('pending', 'sending').count();
    },

    getIdentity: () => getMeta<Identity>(MetaKey.identity),
    setIdentity: (identity: Identity) => setMeta(MetaKey.identity, identity),
    /**
     * P1: the server refused this device's identity (4401). The device starts
     * afresh, but what the old identity wrote is never sent under the new
     * one (had its first send landed, it would be stored twice): its unsent
     * rows fail with the reason and wait for it.
     */
    async retireIdentity(userId: string | undefined): Promise<void> {
      await db.transaction('rw', db.outbox, db.meta, async () => {
        await db.meta.delete(MetaKey.identity);
        if (userId === undefined) return;
        await db.outbox
          .filter((row) => row.user_id === userId && row.status !== 'failed')
          .modify({ status: 'failed', error_code: 'signed_out', error_message: null });
      });
    },

    /** The seq up to which the room is known to be complete locally (P6 cursor). */
    async syncedSeq(roomId: string): Promise<number | undefined> {
      return getMeta<number>(MetaKey.syncedSeq(roomId));
    },
    setSyncedSeq: (roomId: string, seq: number) => setMeta(MetaKey.syncedSeq(roomId), seq),

    /** The oldest cached seq of a room, for paging back (P5 before_seq). */
    async oldestSeq(roomId: string): Promise<number | undefined> {
      const first = await db.messages.where('[room_id+seq]').between([roomId, -Infinity], [roomId, Infinity]).first();
      return first?.seq;
    },

    async hasOlder(roomId: string): Promise<boolean> {
      return (await getMeta<boolean>(MetaKey.hasOlder(roomId))) ?? true;
    },
    setHasOlder: (roomId: string, value: boolean) => setMeta(MetaKey.hasOlder(roomId), value),

    getDraft: async (roomId: string) => (await getMeta<string>(MetaKey.draft(roomId))) ?? '',
    setDraft: (roomId: string, text: string) => (text ? setMeta(MetaKey.draft(roomId), text) : db.meta.delete(MetaKey.draft(roomId))),
  };
}

export type ChatStore = ReturnType<typeof createChatStore>;
