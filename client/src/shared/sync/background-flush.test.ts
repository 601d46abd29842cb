import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { MESSAGES_PATH, type RestSendResponse } from '@whisper/protocol';
import { messagesTable } from '../db/messages.table';
import { outboxTable } from '../db/outbox.table';
import { FlushLater, flushInBackground } from './background-flush';
import { ME } from './connection.harness';
import { setUpStore } from './store.fixture';

const ORIGIN = 'https://chat.test';
const ROOM = 'general';
const fixture = setUpStore('background-flush');

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The server's REST side as the worker sees it: P10 acks every message
 * (the same client_id twice gets the same id: S3) and the twins answer
 * `opStatus`; every request is recorded.
 */
function fakeServer({ opStatus = 200, status }: { opStatus?: number; status?: number } = {}) {
  const sent: Sent[] = [];
  const stored = new Map<string, string>();
  let seq = 0;
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    sent.push({ method: init.method ?? 'GET', path: url.pathname, headers: (init.headers ?? {}) as Record<string, string>, body });
    if (status !== undefined) return new Response(JSON.stringify({ type: 'error', code: 'invalid_token', message: 'no' }), { status });
    if (url.pathname !== MESSAGES_PATH) return new Response(JSON.stringify(opStatus === 200 ? {} : { type: 'error', code: 'forbidden', message: 'not yours' }), { status: opStatus });
    const items = (body as { data: { client_id: string }[] }).data;
    const ids = items.map((item) => stored.get(item.client_id) ?? stored.set(item.client_id, ulid()).get(item.client_id)!);
    const answer: RestSendResponse = { type: 'message_ids', status: 'success', message_ids: ids, client_ids: items.map((item) => item.client_id), seqs: items.map(() => ++seq), rejected: [] };
    return new Response(JSON.stringify(answer), { status: 200 });
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}

describe('W3 the outbox sent by Background Sync', () => {
  it('[W3][P10] messages go as the P2 body with the rows\' client_ids and the bearer token; the acks leave them sent, as a socket\'s would', async () => {
    const { db, store } = fixture;
    const one = await store.enqueue(ROOM, 'one');
    const two = await store.enqueue(ROOM, 'two');
    const server = fakeServer();

    const result = await flushInBackground(db, { origin: ORIGIN, fetch: server.fetch });

    expect(result).toEqual({ acked: 2, ops: 0, stopped: false });
    expect(server.sent).toHaveLength(1);
    expect(server.sent[0]).toMatchObject({ method: 'POST', path: MESSAGES_PATH, headers: { authorization: 'Bearer t' } });
    expect(server.sent[0].body).toEqual({ type: 'messages', data: [{ client_id: one.client_id, room_id: ROOM, content: 'one' }, { client_id: two.client_id, room_id: ROOM, content: 'two' }] });
    // C5: a later page finds them stored, with the server's ids, and nothing left to send.
    expect(await outboxTable.inOrder(db)).toEqual([]);
    expect((await messagesTable.all(db, ROOM)).map((m) => [m.client_id, m.content, m.seq])).toEqual([
      [one.client_id, 'one', 1],
      [two.client_id, 'two', 2],
    ]);
  });

  it('[W3][P1] after a switch of identity the worker sends only the current identity\'s rows, under its token; the other\'s stay on the device', async () => {
    const { db, store } = fixture;
    const mine = await store.enqueue(ROOM, 'written before the switch');
    await store.setIdentity({ user_id: '22222222-2222-4222-8222-222222222222', token: 'u' });
    const theirs = await store.enqueue(ROOM, 'written after it');
    const server = fakeServer();

    expect(await flushInBackground(db, { origin: ORIGIN, fetch: server.fetch })).toMatchObject({ acked: 1 });
    expect(server.sent).toHaveLength(1);
    expect(server.sent[0]).toMatchObject({ headers: { authorization: 'Bearer u' }, body: { data: [{ client_id: theirs.client_id }] } });
    expect((await outboxTable.inOrder(db)).map((row) => row.client_id)).toEqual([mine.client_id]);
  });

  it('[W3][F3] a message whose files are not uploaded holds back itself and everything after it', async () => {
    const { db, store } = fixture;
    const first = await store.enqueue(ROOM, 'before');
    await store.enqueueWithFiles(ROOM, 'with a photo', [{ blob: new Blob(['x']), name: 'a.png', mime: 'image/png', kind: 'image' }]);
    await store.enqueue(ROOM, 'after');
    const server = fakeServer();

    await flushInBackground(db, { origin: ORIGIN, fetch: server.fetch });

    expect(server.sent.map((request) => (request.body as { data: { client_id: string }[] }).data.map((item) => item.client_id))).toEqual([[first.client_id]]);
    expect((await outboxTable.inOrder(db)).map((row) => row.content)).toEqual(['with a photo', 'after']);
  });

  it('[W3][P12] ops go to their REST twins keyed by their client_id (an own message by the id its ack gave), and stay for the page to fold', async () => {
    const { db, store } = fixture;
    const message = await store.enqueue(ROOM, 'typo');
    const edit = await store.enqueueOp({ op: 'edit', room_id: ROOM, target_client_id: message.client_id, content: 'fixed' });
    const read = await store.enqueueOp({ op: 'read', room_id: ROOM, seq: 7 });
    const server = fakeServer();

    const result = await flushInBackground(db, { origin: ORIGIN, fetch: server.fetch });

    const messageId = (await messagesTable.byClientId(db, ME, message.client_id))?.id;
    expect(messageId).toBeDefined();
    expect(result).toEqual({ acked: 1, ops: 2, stopped: false });
    expect(server.sent.slice(1)).toEqual([
      { method: 'PATCH', path: `${MESSAGES_PATH}/${messageId}`, headers: expect.objectContaining({ 'idempotency-key': edit.client_id }), body: { content: 'fixed' } },
      { method: 'POST', path: `/v1/rooms/${ROOM}/read`, headers: expect.objectContaining({ 'idempotency-key': read.client_id }), body: { seq: 7 } },
    ]);
    // E3: the page sends them again with the same client_ids and folds the original entries.
    expect((await outboxTable.inOrder(db)).map((row) => row.client_id)).toEqual([edit.client_id, read.client_id]);
  });

  it('[W3][P7] a twin\'s refusal fails the op as a socket\'s rejection would; an op with no twin stops the flush there (order)', async () => {
    const { db, store } = fixture;
    const rename = await store.enqueueOp({ op: 'room.update', room_id: ROOM, name: 'Lobby' });
    await store.enqueueOp({ op: 'member.remove', room_id: ROOM, user_ids: [ME, '22222222-2222-4222-8222-222222222222'] });
    await store.enqueue(ROOM, 'after the removal');
    const server = fakeServer({ opStatus: 403 });

    const result = await flushInBackground(db, { origin: ORIGIN, fetch: server.fetch });

    expect(result).toEqual({ acked: 0, ops: 1, stopped: true });
    expect(server.sent.map((request) => `${request.method} ${request.path}`)).toEqual([`PATCH /v1/rooms/${ROOM}`]);
    const rows = await outboxTable.inOrder(db);
    expect(rows.find((row) => row.client_id === rename.client_id)).toMatchObject({ status: 'failed', error_code: 'forbidden', error_message: 'not yours' });
    expect(rows.filter((row) => row.status === 'pending').map((row) => row.op?.op ?? row.content)).toEqual(['member.remove', 'after the removal']);
  });

  it('[W3] a refused token or no network leaves everything as it was and throws, so the browser retries the sync', async () => {
    const { db, store } = fixture;
    await store.enqueue(ROOM, 'waiting');
    const before = await outboxTable.inOrder(db);

    await expect(flushInBackground(db, { origin: ORIGIN, fetch: fakeServer({ status: 401 }).fetch })).rejects.toBeInstanceOf(FlushLater);
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(flushInBackground(db, { origin: ORIGIN, fetch: offline })).rejects.toThrow('Failed to fetch');

    expect((await outboxTable.inOrder(db)).map(({ client_id, status, content }) => ({ client_id, status, content }))).toEqual(
      before.map(({ client_id, status, content }) => ({ client_id, status, content })),
    );
    expect(await messagesTable.all(db, ROOM)).toEqual([]);
  });
});
