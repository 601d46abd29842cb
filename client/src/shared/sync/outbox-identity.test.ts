import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { MetaKey, WhisperDatabase } from '../db/whisper-db';
import { createChatStore, type ChatStore } from './chat-store';

const FIRST = '11111111-1111-4111-8111-111111111111';
const SECOND = '22222222-2222-4222-8222-222222222222';
const ROOM = 'general';
const ACK_TIMEOUT = 10_000;
const MAX_ATTEMPTS = 5;

let db: WhisperDatabase;
let store: ChatStore;

beforeEach(() => {
  db = new WhisperDatabase(`outbox-identity-${ulid()}`);
  store = createChatStore(db);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const planned = async (userId: string, socketId = 's1') => (await store.planFlush(socketId, userId, 0, ACK_TIMEOUT, MAX_ATTEMPTS)).items.map((item) => item.content);

describe('outbox ownership', () => {
  it('[P1][C1] a row is written under the identity the device has, and only that identity sends it', async () => {
    await store.setIdentity({ user_id: FIRST, token: 't1' });
    const item = await store.enqueue(ROOM, 'mine');
    expect(item.user_id).toBe(FIRST);
    expect(await planned(SECOND)).toEqual([]);
    expect(await planned(FIRST)).toEqual(['mine']);
  });

  it('[P1][C1] work queued before the device had any identity goes out under the first one, and stays with it', async () => {
    const item = await store.enqueue(ROOM, 'before hello');
    expect(item.user_id).toBeNull();
    expect(await planned(FIRST)).toEqual(['before hello']);
    // The claim is stored before anything is sent: a later identity never resends it.
    expect(await db.outbox.get(item.client_id)).toMatchObject({ user_id: FIRST });
    expect(await planned(SECOND, 's2')).toEqual([]);
  });

  it('[P1][C6] a refused identity leaves its unsent work failed with the reason, never sent by the next one, and Retry cannot hand it over', async () => {
    await store.setIdentity({ user_id: FIRST, token: 't1' });
    const sent = await store.enqueue(ROOM, 'in flight, maybe stored');
    const queued = await store.enqueue(ROOM, 'queued');
    const plan = await store.planFlush('s1', FIRST, 0, ACK_TIMEOUT, MAX_ATTEMPTS);
    await store.markSending(plan.items);

    await store.retireIdentity(FIRST);
    expect(await store.getIdentity()).toBeUndefined();
    for (const row of [sent, queued]) {
      expect(await db.outbox.get(row.client_id)).toMatchObject({ status: 'failed', error_code: 'signed_out', user_id: FIRST });
    }

    await store.setIdentity({ user_id: SECOND, token: 't2' });
    const fresh = await store.enqueue(ROOM, 'new identity');
    await store.retry(sent.client_id);
    expect(await db.outbox.get(sent.client_id)).toMatchObject({ status: 'failed' });
    expect(await planned(SECOND, 's2')).toEqual([fresh.content]);
  });

  it('[C6] the time an own message was written survives its ack and the server copy', async () => {
    await store.setIdentity({ user_id: FIRST, token: 't1' });
    const item = await store.enqueue(ROOM, 'hi');
    const id = ulid();
    await store.applyAck({ type: 'message_ids', status: 'success', message_ids: [id], client_ids: [item.client_id], seqs: [1] });
    const serverCopy = { id, seq: 1, room_id: ROOM, user_id: FIRST, client_id: item.client_id, content: 'hi', created_at: '2030-01-01T00:00:00.000Z' };
    await store.storeMessages([serverCopy]);
    expect(await db.messages.get(id)).toMatchObject({ created_at: serverCopy.created_at, written_at: item.created_at });
  });

  it('[C6] broadcast before ack: the written time comes from the outbox row', async () => {
    await store.setIdentity({ user_id: FIRST, token: 't1' });
    const item = await store.enqueue(ROOM, 'hi');
    const id = ulid();
    await store.storeMessages([{ id, seq: 1, room_id: ROOM, user_id: FIRST, client_id: item.client_id, content: 'hi', created_at: '2030-01-01T00:00:00.000Z' }]);
    expect(await db.messages.get(id)).toMatchObject({ written_at: item.created_at });
  });

  it('[P1] upgrading a version-1 database gives its outbox rows the identity stored then', async () => {
    const name = `outbox-upgrade-${ulid()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({ messages: 'id, [room_id+seq], client_id', outbox: 'client_id, room_id, status', meta: 'key' });
    await v1.table('meta').put({ key: MetaKey.identity, value: { user_id: FIRST, token: 't' } });
    await v1.table('outbox').put({ client_id: ulid(), room_id: ROOM, content: 'old', created_at: new Date().toISOString(), status: 'pending', attempts: 0, sent_at: null, sent_on: null, error_code: null, error_message: null });
    v1.close();
    const upgraded = new WhisperDatabase(name);
    expect((await upgraded.outbox.toArray()).map((row) => row.user_id)).toEqual([FIRST]);
    upgraded.close();
    await upgraded.delete();
  });
});
