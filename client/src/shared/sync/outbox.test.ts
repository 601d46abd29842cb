import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AckFrame, ChatMessage } from '@whisper/protocol';
import { WhisperDatabase } from '../db/whisper-db';
import { FLUSH_WINDOW, createChatStore, pendingOp, type ChatStore } from './chat-store';
import { toFrames } from './outbox-frames';
import { pendingRows } from './outbox-rows.fixture';

const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const ROOM = 'general';
const ACK_TIMEOUT = 10_000;
const MAX_ATTEMPTS = 3;

let db: WhisperDatabase;
let store: ChatStore;

beforeEach(async () => {
  db = new WhisperDatabase(`outbox-test-${ulid()}`);
  store = createChatStore(db);
  await store.setIdentity({ user_id: ME, token: 't' });
});
afterEach(async () => {
  db.close();
  await db.delete();
});

/** What the connection machine does on a flush: plan, (send,) then record the send. */
async function flush(socketId: string, now: number) {
  const plan = await store.planFlush(socketId, ME, now, ACK_TIMEOUT, MAX_ATTEMPTS);
  await store.markSending(plan.items);
  return plan;
}

function ackFor(clientIds: string[], firstSeq: number): AckFrame {
  return {
    type: 'message_ids',
    status: 'success',
    message_ids: clientIds.map(() => ulid()),
    client_ids: clientIds,
    seqs: clientIds.map((_, i) => firstSeq + i),
  };
}

function broadcastOf(ack: AckFrame, contents: string[], createdAt = '2026-11-21T12:00:00.000Z'): ChatMessage[] {
  return ack.client_ids.map((clientId, i) => ({
    id: ack.message_ids[i],
    seq: ack.seqs[i],
    room_id: ROOM,
    user_id: ME,
    client_id: clientId,
    content: contents[i],
    created_at: createdAt,
  }));
}

describe('outbox', () => {
  it('[C1][C2] enqueue stores the message as pending with a ULID client_id before any network', async () => {
    const item = await store.enqueue(ROOM, 'hello');
    expect(item.client_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(await db.outbox.get(item.client_id)).toMatchObject({ status: 'pending', content: 'hello', attempts: 0 });
  });

  it('[C4] a flush plan keeps enqueue order, even for messages typed in the same millisecond', async () => {
    const contents = Array.from({ length: 50 }, (_, i) => `m${i}`);
    for (const content of contents) await store.enqueue(ROOM, content);
    const plan = await flush('socket-1', Date.now());
    expect(plan.items.map((item) => item.content)).toEqual(contents);
    expect(new Set((await db.outbox.toArray()).map((row) => row.status))).toEqual(new Set(['sending']));
  });

  it('[C4] items in flight on this socket are not resent until their ack is overdue; items lost with an old socket are', async () => {
    const a = await store.enqueue(ROOM, 'a');
    const t0 = 1_000_000;
    expect((await flush('s1', t0)).items).toHaveLength(1);
    expect((await flush('s1', t0 + ACK_TIMEOUT - 1)).items).toHaveLength(0);
    const overdue = await flush('s1', t0 + ACK_TIMEOUT);
    expect(overdue.items.map((item) => item.client_id)).toEqual([a.client_id]);
    expect(overdue.items[0].attempts).toBe(1);
    // A new socket: whatever was on the old one is resent at once, same client_id.
    const reconnect = await flush('s2', t0 + ACK_TIMEOUT + 1);
    expect(reconnect.items.map((item) => item.client_id)).toEqual([a.client_id]);
  });

  it('[C4] one socket carries at most FLUSH_WINDOW unacked items; acks free room for the rest, in order', async () => {
    const queued = pendingRows(FLUSH_WINDOW + 150, ROOM);
    await db.outbox.bulkAdd(queued);
    const first = await flush('s1', 0);
    expect(first.items.map((item) => item.client_id)).toEqual(queued.slice(0, FLUSH_WINDOW).map((item) => item.client_id));
    expect(first.more).toBe(true);
    expect((await flush('s1', 1)).items).toHaveLength(0);
    await store.applyAck(ackFor(queued.slice(0, 100).map((item) => item.client_id), 1));
    const second = await flush('s1', 2);
    expect(second.items.map((item) => item.client_id)).toEqual(queued.slice(FLUSH_WINDOW, FLUSH_WINDOW + 100).map((item) => item.client_id));
    expect(second.more).toBe(true);
    // A new socket starts with an empty window: the first FLUSH_WINDOW unacked go again.
    const reconnect = await flush('s2', 3);
    expect(reconnect.items.map((item) => item.client_id)).toEqual(queued.slice(100, 100 + FLUSH_WINDOW).map((item) => item.client_id));
    expect(reconnect.more).toBe(true);
  });

  it('[C4][C5] a plan is marked `sending` only by markSending, which never brings back a row acked, rejected or deleted meanwhile', async () => {
    const [acked, rejected, deleted, kept] = [await store.enqueue(ROOM, 'a'), await store.enqueue(ROOM, 'r'), await store.enqueue(ROOM, 'd'), await store.enqueue(ROOM, 'k')];
    const plan = await store.planFlush('s1', ME, 5, ACK_TIMEOUT, MAX_ATTEMPTS);
    expect(plan.items.map((item) => item.client_id)).toEqual([acked, rejected, deleted, kept].map((item) => item.client_id));
    // Planning alone writes nothing: the rows stay pending until the frames are out.
    expect(new Set((await db.outbox.toArray()).map((row) => row.status))).toEqual(new Set(['pending']));
    await store.applyAck(ackFor([acked.client_id], 1));
    await store.applyRejection({ type: 'rejected', client_ids: [rejected.client_id], code: 'invalid_content', message: 'no' });
    await store.remove(deleted.client_id);
    await store.markSending(plan.items);
    expect(await db.outbox.toArray()).toEqual([
      expect.objectContaining({ client_id: rejected.client_id, status: 'failed', error_code: 'invalid_content' }),
      expect.objectContaining({ client_id: kept.client_id, status: 'sending', sent_on: 's1', sent_at: 5 }),
    ]);
    expect(await db.messages.count()).toBe(1);
  });

  it('[C6] a message never acknowledged over live sockets becomes failed after the bounded number of attempts', async () => {
    const item = await store.enqueue(ROOM, 'into the void');
    let now = 0;
    await flush('s1', now);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      now += ACK_TIMEOUT;
      await flush('s1', now);
    }
    expect(await db.outbox.get(item.client_id)).toMatchObject({ status: 'failed', error_code: 'unconfirmed' });
    expect((await flush('s9', now + 1)).items).toHaveLength(0);
  });
});

describe('reconciliation', () => {
  it('[C5] ack before broadcast: one stored message with the ULID and seq, none left in the outbox', async () => {
    const item = await store.enqueue(ROOM, 'hi');
    await flush('s1', 0);
    const ack = ackFor([item.client_id], 7);
    await store.applyAck(ack);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.messages.toArray()).toEqual([expect.objectContaining({ id: ack.message_ids[0], seq: 7, client_id: item.client_id, user_id: ME })]);
    await store.storeMessages(broadcastOf(ack, ['hi'], '2026-11-21T12:00:00.000Z'));
    const rows = await db.messages.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0].created_at).toBe('2026-11-21T12:00:00.000Z');
  });

  it('[C5] broadcast before ack: one stored message; the late ack changes nothing', async () => {
    const item = await store.enqueue(ROOM, 'hi');
    const ack = ackFor([item.client_id], 3);
    await store.storeMessages(broadcastOf(ack, ['hi']));
    expect(await db.outbox.count()).toBe(0);
    await store.applyAck(ack);
    expect(await db.messages.count()).toBe(1);
    expect(await db.outbox.count()).toBe(0);
  });

  it('[C5] another user\'s message with the same client_id does not touch my outbox', async () => {
    const item = await store.enqueue(ROOM, 'mine');
    await store.storeMessages([{ id: ulid(), seq: 1, room_id: ROOM, user_id: OTHER, client_id: item.client_id, content: 'theirs', created_at: new Date().toISOString() }]);
    expect(await db.outbox.get(item.client_id)).toMatchObject({ content: 'mine' });
  });

  it('[P7][C6] a rejection marks the item failed with the reason, and flushes skip it', async () => {
    const item = await store.enqueue(ROOM, 'x'.repeat(5000));
    await flush('s1', 0);
    await store.applyRejection({ type: 'rejected', client_ids: [item.client_id], code: 'invalid_content', message: 'content is longer than 4000 characters' });
    expect(await db.outbox.get(item.client_id)).toMatchObject({ status: 'failed', error_code: 'invalid_content', error_message: 'content is longer than 4000 characters' });
    expect((await flush('s2', 1)).items).toHaveLength(0);
  });

  it('[C6][C2] Retry requeues the failed item with the same client_id; Delete removes it for good', async () => {
    const item = await store.enqueue(ROOM, 'again');
    await store.applyRejection({ type: 'rejected', client_ids: [item.client_id], code: 'unknown_room', message: 'no room' });
    await store.retry(item.client_id);
    const plan = await flush('s1', 0);
    expect(plan.items.map((i) => i.client_id)).toEqual([item.client_id]);
    await store.remove(item.client_id);
    expect(await db.outbox.get(item.client_id)).toBeUndefined();
    expect(await store.unsentCount()).toBe(0);
  });

  it('[C8] the sync cursor moves in the same transaction as the messages it covers', async () => {
    const ack = ackFor([ulid(), ulid()], 1);
    await store.storeMessages(broadcastOf(ack, ['a', 'b']), { roomId: ROOM, syncedSeq: 2 });
    expect(await store.syncedSeq(ROOM)).toBe(2);
    expect(await store.oldestSeq(ROOM)).toBe(1);
  });
});

describe('frames', () => {
  it('[P11][C4] runs of messages and of ops become frames of at most 100 each, in enqueue order', () => {
    const messages = pendingRows(130, ROOM);
    const ops = Array.from({ length: 120 }, (_, i) => pendingOp(`01ARZ3NDEKOP${String(i).padStart(14, '0')}`, { op: 'member.add', room_id: ROOM, user_ids: [OTHER] }, '', ME));
    const frames = toFrames([...messages.slice(0, 30), ...ops, ...messages.slice(30)]);
    expect(frames.map((frame) => [frame.type, 'data' in frame ? frame.data.length : 0])).toEqual([
      ['messages', 30],
      ['ops', 100],
      ['ops', 20],
      ['messages', 100],
    ]);
    expect(frames[1]).toMatchObject({ type: 'ops', data: expect.arrayContaining([{ client_id: ops[0].client_id, op: 'member.add', room_id: ROOM, user_ids: [OTHER] }]) });
  });
});
