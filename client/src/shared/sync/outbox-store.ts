import { monotonicFactory } from 'ulid';
import { OpName, type AckFrame, type RejectedFrame, type Room } from '@whisper/protocol';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import { filesTable, withUploadIds } from '../db/files.table';
import { isOpRow, isQuietRow, outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { MetaKey, type CachedMessage, type LocalQuote, type OutboxItem, type OutboxOp, type WhisperDatabase } from '../db/whisper-db';
import { forgetRoom, logScope } from './room-tables';
import { changeCached, quoteFor } from './message-cache';
import { applyMessageOp, isMessageOp } from './message-state';
import { applyMessage, applyOp } from './room-state';

/**
 * The outbox (C1, C4, C6): what the user sent or changed, from enqueue to
 * ack or rejection. Messages and ops share it, its client_id space and its
 * order: the server applies them in the order they were written (S4).
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
    kind: 'message',
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

/** A fresh op row (P11); `room` shows a public room at once while joining it. */
export function pendingOp(clientId: string, op: OutboxOp, createdAt: string, userId: string | null, room?: Room): OutboxItem {
  return { ...pendingItem(clientId, op.room_id, '', createdAt, userId), kind: 'op', op, ...(room ? { room } : {}) };
}

/** Whether `userId` may send this row: its writer, or anyone for a row written before the device had an identity. */
export function ownedBy(item: OutboxItem, userId: string | undefined): boolean {
  return item.user_id === null || item.user_id === userId;
}

/**
 * Folds acked rows into the cache, inside a transaction over logScope:
 * messages become stored messages, ops their effect on the room (so nothing
 * flickers between the ack and the server's event, which then confirms it).
 */
async function foldAcked(db: WhisperDatabase, ack: AckFrame, rows: Map<string, OutboxItem>, me: string): Promise<void> {
  const messages: CachedMessage[] = [];
  for (const [i, clientId] of ack.client_ids.entries()) {
    // Without its outbox row (the broadcast came first, or another tab
    // handled it) there is nothing to add: the broadcast carries it all.
    const row = clientId === null ? undefined : rows.get(clientId);
    if (!row) continue;
    const seq = ack.seqs[i];
    if (isOpRow(row) && isMessageOp(row.op)) {
      const op = row.op;
      await changeCached(db, op, me, (message) => applyMessageOp(message, op, row.user_id ?? me, row.created_at, ack.seqs[i]));
      continue;
    }
    if (isOpRow(row)) {
      // A public room joined from the list is folded from the copy the row
      // kept of it: it stays on screen until the server's frames describe it.
      const room = (await roomsTable.get(db, row.room_id)) ?? row.room;
      const next = applyOp(room, row.op, row.user_id ?? me, row.created_at, seq);
      if (next === null) await forgetRoom(db, row.room_id);
      else if (next !== undefined) await roomsTable.put(db, next);
      continue;
    }
    messages.push({
      id: ack.message_ids[i],
      seq,
      room_id: row.room_id,
      user_id: row.user_id ?? me,
      client_id: row.client_id,
      content: row.content,
      created_at: row.created_at,
      written_at: row.created_at,
      ...(row.quote ? { reply_to: await quoteFor(db, row.quote, me) } : {}),
      ...(row.attachments?.length ? { local_files: true as const } : {}),
    });
  }
  // Never overwrite a broadcast copy (it has the server's timestamp).
  const existing = await messagesTable.bulkGet(db, messages.map((m) => m.id));
  await messagesTable.bulkAdd(db, messages.filter((_, i) => existing[i] === undefined));
  for (const message of messages) {
    const room = await roomsTable.get(db, message.room_id);
    if (room) await roomsTable.put(db, applyMessage(room, message));
  }
}

/** X4: rows up to the highest client_id planned may be on the server now (MetaKey.flushedUpTo); one small write per plan. */
async function markFlushed(db: WhisperDatabase, items: OutboxItem[]): Promise<void> {
  const highest = items.reduce<string | undefined>((max, item) => (max === undefined || item.client_id > max ? item.client_id : max), undefined);
  if (highest === undefined) return;
  const mark = await metaTable.get<string>(db, MetaKey.flushedUpTo);
  if (mark === undefined || highest > mark) await metaTable.set(db, MetaKey.flushedUpTo, highest);
}

/** Whether this row may have reached the server: a flush has planned it (or a later row) onto a socket. */
export async function mayHaveLeft(db: WhisperDatabase, row: OutboxItem): Promise<boolean> {
  if (row.status === 'sending') return true;
  // Refused (P7): the server stored nothing of it, and never will as it is.
  if (row.status === 'failed' && row.error_code !== 'unconfirmed' && row.error_code !== 'signed_out') return false;
  const mark = await metaTable.get<string>(db, MetaKey.flushedUpTo);
  return mark !== undefined && row.client_id <= mark;
}

/** X1: what a reply carries: the target as the frame names it, and the quote shown meanwhile. */
export interface ReplyDraft {
  reply_to: string;
  quote: LocalQuote;
}

/**
 * `nextClientId` mints every client_id of the outbox; one generator for
 * every writer of the outbox, so that key order stays enqueue order.
 */
export function createOutboxStore(db: WhisperDatabase, nextClientId: () => string = monotonicFactory()) {

  async function add(make: (clientId: string, at: string, userId: string | null) => OutboxItem): Promise<OutboxItem> {
    return db.transaction('rw', db.outbox, db.meta, async () => {
      const item = make(nextClientId(), new Date().toISOString(), (await metaTable.myUserId(db)) ?? null);
      await outboxTable.add(db, item);
      return item;
    });
  }

  return {
    /** C1, C2: the message exists on this device before anything touches the network. */
    enqueue: (roomId: string, content: string, reply?: ReplyDraft) =>
      add((clientId, at, userId) => ({ ...pendingItem(clientId, roomId, content, at, userId), ...reply })),

    /** C1, P11: an op, queued like a message, in the same order. */
    enqueueOp: (op: OutboxOp, room?: Room) => add((clientId, at, userId) => pendingOp(clientId, op, at, userId, room)),

    /**
     * M2: creates the room unless this device has it already or is creating
     * it (two taps on "Message Ana" make one DM). One transaction: the check
     * and the enqueue cannot interleave with another tab's.
     */
    async createOnce(op: Extract<OutboxOp, { op: 'room.create' }>): Promise<void> {
      await db.transaction('rw', db.outbox, db.rooms, db.meta, async () => {
        if (await roomsTable.get(db, op.room_id)) return;
        const rows = await outboxTable.ofRoom(db, op.room_id);
        if (rows.some((row) => isOpRow(row) && row.op.op === OpName.RoomCreate)) return;
        await outboxTable.add(db, pendingOp(nextClientId(), op, new Date().toISOString(), (await metaTable.myUserId(db)) ?? null));
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
      return db.transaction('rw', db.outbox, db.meta, db.files, async () => {
        const candidates = await outboxTable.inOrder(db);
        const files = await filesTable.byMessage(db, candidates.filter((row) => row.attachments?.length).map((row) => row.client_id));
        const due: OutboxItem[] = [];
        const failed: OutboxItem[] = [];
        const claimed: OutboxItem[] = [];
        let inFlight = 0;
        // F3, C4: a message whose files are not all uploaded holds back
        // everything queued after it (S4: the server sees the user's order).
        let blocked = false;
        for (const row of candidates) {
          // Another identity's work waits for that identity (P1).
          if (row.status === 'failed' || !ownedBy(row, userId)) continue;
          if (blocked) {
            if (row.status === 'sending') inFlight++;
            continue;
          }
          const uploaded = withUploadIds(row, files);
          if (uploaded === null) {
            blocked = true;
            continue;
          }
          // Written before the device had an identity: it is this one's now,
          // for good, before it goes out under it.
          const item = row.user_id === null ? { ...uploaded, user_id: userId } : uploaded;
          if (row.user_id === null) claimed.push({ ...row, user_id: userId });
          const lostWithSocket = item.status === 'sending' && item.sent_on !== socketId;
          const ackOverdue = item.status === 'sending' && item.sent_on === socketId && item.sent_at !== null && now - item.sent_at >= ackTimeoutMs;
          if (item.status === 'sending' && !lostWithSocket && !ackOverdue) {
            inFlight++;
            continue;
          }
          if (ackOverdue && item.attempts + 1 >= maxAttempts) {
            failed.push({ ...row, user_id: item.user_id, status: 'failed', attempts: item.attempts + 1, error_code: 'unconfirmed', error_message: null });
            continue;
          }
          due.push({ ...item, status: 'sending', attempts: ackOverdue ? item.attempts + 1 : item.attempts, sent_at: now, sent_on: socketId });
        }
        if (claimed.length > 0) await outboxTable.bulkPut(db, claimed);
        if (failed.length > 0) await outboxTable.bulkPut(db, failed);
        const room = Math.max(0, FLUSH_WINDOW - inFlight);
        const items = due.slice(0, room);
        await markFlushed(db, items);
        return { items, more: due.length > room };
      });
    },

    /**
     * Records that a plan's items went out on their socket. Written after the
     * frames, not before, and by the machine only for items still unanswered
     * a while later (MARK_SENDING_DELAY_MS): marking a long queue is a bulk
     * write that would hold the flush back, and promptly acked rows leave the
     * outbox anyway. Until it lands a row reads as before (`pending`, or
     * `sending` on an earlier socket), which a crash leaves resendable, as a
     * new socket would anyway. A row acked, rejected or deleted meanwhile is
     * left as it is.
     */
    async markSending(items: OutboxItem[]): Promise<void> {
      if (items.length === 0) return;
      const planned = new Map(items.map((item) => [item.client_id, item]));
      const ids = [...planned.keys()].sort();
      await db.transaction('rw', db.outbox, async () => {
        const rows = await outboxTable.between(db, ids[0], ids[ids.length - 1]);
        const marks: OutboxItem[] = [];
        for (const row of rows) {
          const item = planned.get(row.client_id);
          if (!item || row.status === 'failed') continue;
          marks.push({ ...row, status: 'sending', attempts: item.attempts, sent_at: item.sent_at, sent_on: item.sent_on });
        }
        await outboxTable.bulkPut(db, marks);
      });
    },

    /** P3 → C5: acked messages become stored messages with the server's id and seq; acked ops fold into their room. */
    async applyAck(ack: AckFrame): Promise<void> {
      await db.transaction('rw', logScope(db), async () => {
        const me = await metaTable.myUserId(db);
        const clientIds = ack.client_ids.filter((id): id is string => id !== null);
        const rows = (await outboxTable.bulkGet(db, clientIds)).filter((row): row is OutboxItem => row !== undefined);
        if (!me || rows.length === 0) return;
        await foldAcked(db, ack, new Map(rows.map((row) => [row.client_id, row])), me);
        await outboxTable.bulkDelete(db, rows.map((row) => row.client_id));
        // F2: the files stay (shown from this device) until the broadcast copy names the stored ones.
        const copies = await messagesTable.bulkGet(db, ack.message_ids);
        const broadcastCame = new Set(copies.filter((m) => m !== undefined && !m.local_files).map((m) => m!.client_id));
        await filesTable.deleteOfMessages(db, rows.filter((row) => row.attachments?.length && broadcastCame.has(row.client_id)).map((row) => row.client_id));
      });
    },

    /** P7 → C6: failed, with the server's reason; never resent automatically. Ops alike. */
    async applyRejection(frame: RejectedFrame): Promise<void> {
      await db.transaction('rw', db.outbox, async () => {
        for (const clientId of frame.client_ids) {
          const row = await outboxTable.get(db, clientId);
          // L3, N1: a refused read marker or mute (the room is gone) is nothing to show or retry.
          if (row && isQuietRow(row)) await outboxTable.delete(db, clientId);
          else await outboxTable.update(db, clientId, { status: 'failed', error_code: frame.code, error_message: frame.message });
        }
      });
    },

    /** C6: Retry keeps the client_id (C2), so a resend can never duplicate. Messages and ops alike. */
    async retry(clientId: string): Promise<void> {
      await db.transaction('rw', db.outbox, db.meta, db.files, async () => {
        const row = await outboxTable.get(db, clientId);
        // Another identity's row would only wait for its writer forever.
        if (!row || !ownedBy(row, await metaTable.myUserId(db))) return;
        await outboxTable.update(db, clientId, { status: 'pending', attempts: 0, sent_at: null, sent_on: null, error_code: null, error_message: null });
        // C6, F2: refused files upload again from the start.
        await filesTable.restartOfMessage(db, clientId);
      });
    },

    /** C6: Delete removes a failed message or op from the outbox for good (its overlay goes with it). */
    async remove(clientId: string): Promise<void> {
      await db.transaction('rw', db.outbox, db.files, async () => {
        await outboxTable.delete(db, clientId);
        await filesTable.deleteOfMessages(db, [clientId]);
      });
    },

    unsentCount: () => outboxTable.countUnsent(db),

    /**
     * P1: the server refused this device's identity (4401). The device starts
     * afresh, but what the old identity wrote is never sent under the new
     * one (had its first send landed, it would be stored twice): its unsent
     * rows fail with the reason and wait for it.
     */
    async retireIdentity(userId: string | undefined): Promise<void> {
      await db.transaction('rw', db.outbox, db.meta, async () => {
        // The device may have passed to someone else meanwhile: theirs stays.
        const current = await metaTable.myUserId(db);
        if (current === undefined || current === userId) await metaTable.remove(db, MetaKey.identity);
        if (userId === undefined) return;
        await outboxTable.updateUnfailedOf(db, userId, { status: 'failed', error_code: 'signed_out', error_message: null });
      });
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
