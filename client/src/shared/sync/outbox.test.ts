import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AckFrame, ChatMessage } from '@whisper/protocol';
import { WhisperDatabase } from '../db/whisper-db';
import { createChatStore, type ChatStore } from './chat-store';

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
    const plan = await store.planFlush('socket-1', Date.now(), ACK_TIMEOUT, MAX_ATTEMPTS);
    expect(plan.items.map((item) => item.content)).toEqual(contents);
    expect(new Set((await db.outbox.toArray()).map((row) => row.status))).toEqual(new Set(['sending']));
  });

  it('[C4] items in flight on this socket are not resent until their ack is overdue; items lost with an old socket are', async () => {
    const a = await store.enqueue(ROOM, 'a');
    const t0 = 1_000_000;
    expect((await store.planFlush('s1', t0, ACK_TIMEOUT, MAX_ATTEMPTS)).items).toHaveLength(1);
    expect((await store.planFlush('s1', t0 + ACK_TIMEOUT - 1, ACK_TIMEOUT, MAX_ATTEMPTS)).items).toHaveLength(0);
    const overdue = await store.planFlush('s1', t0 + ACK_TIMEOUT, ACK_TIMEOUT, MAX_ATTEMPTS);
    expect(overdue.items.map((item) => item.client_id)).toEqual([a.client_id]);
    expect(overdue.items[0].attempts).toBe(1);
    // A new socket: whatever was on the old one is resent at once, same client_id.
    const reconnect = await store.planFlush('s2', t0 + ACK_TIMEOUT + 1, ACK_TIMEOUT, MAX_ATTEMPTS);
    expect(reconnect.items.map((item) => item.client_id)).toEqual([a.client_id]);
  });

  it('[C6] a message never acknowledged over live sockets becomes failed after the bounded number of attempts', async () => {
    const item = await store.enqueue(ROOM, 'into the void');
    let now = 0;
    await store.planFlush('s1', now, ACK_TIMEOUT, MAX_ATTEMPTS);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      now += ACK_TIMEOUT;
      await store.planFlush('s1', now, ACK_TIMEOUT, MAX_ATTEMPTS);
    }
    expect(await db.outbox.get(item.client_id)).toMatchObject({ status: 'failed', error_code: 'unconfirmed' });
    expect((await store.planFlush('s9', now + 1, ACK_TIMEOUT, MAX_ATTEMPTS)).items).toHaveLength(0);
  });
});

describe('reconciliation', () => {
  it('[C5] ack before broadcast: one stored message with the ULID and seq, none left in the outbox', async () => {
    const item = await store.enqueue(ROOM, 'hi');
    await store.planFlush('s1', 0, ACK_TIMEOUT, MAX_ATTEMPTS);
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
    await store.planFlush('s1', 0, ACK_TIMEOUT, MAX_ATTEMPTS);
    await store.applyRejection({ type: 'rejected', client_ids: [item.client_id], code: 'invalid_content', message: 'content is longer than 4000 characters' });
    expect(await db.outbox.get(item.client_id)).toMatchObject({ status: 'failed', error_code: 'invalid_content', error_message: 'content is longer than 4000 characters' });
    expect((await store.planFlush('s2', 1, ACK_TIMEOUT, MAX_ATTEMPTS)).items).toHaveLength(0);
  });

  it('[C6][C2] Retry requeues the failed item with the same client_id; Delete removes it for good', async () => {
    const item = await store.enqueue(ROOM, 'again');
    await store.applyRejection({ type: 'rejected', client_ids: [item.client_id], code: 'unknown_room', message: 'no room' });
    await store.retry(item.client_id);
    const plan = await store.planFlush('s1', 0, ACK_TIMEOUT, MAX_ATTEMPTS);
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
