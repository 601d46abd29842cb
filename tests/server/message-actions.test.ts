/**
 * Message actions (X1–X3) on the room log (E2–E5): replies, edits, deletes
 * and reactions over the socket (P11) and REST (P12), against a real
 * PostgreSQL and real sockets.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLY_EXCERPT_LENGTH, type ChatMessage, type LogEvent, type ServerFrame } from '../../server/protocol/index.js';
import { item, waitFor } from '../support/fixtures.js';
import { api, createRoom, opItem, type OpAnswer } from '../support/rooms-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const connect = (token?: string) => TestSocket.connect(server.wsUrl, token);
type OpInput = Parameters<typeof opItem>[0];
type Entry = ChatMessage | LogEvent;

/** The ack or rejection of one item, wherever it is among the frames received so far. */
function answerIn(frames: ServerFrame[], clientId: string): OpAnswer | null {
  for (const frame of frames) {
    if (frame.type === 'message_ids' && frame.client_ids.includes(clientId)) {
      const i = frame.client_ids.indexOf(clientId);
      return { ok: true, id: frame.message_ids[i], seq: frame.seqs[i] };
    }
    if (frame.type === 'rejected' && frame.client_ids.includes(clientId)) return { ok: false, code: frame.code, message: frame.message };
  }
  return null;
}
async function answerOf(socket: TestSocket, clientId: string): Promise<OpAnswer> {
  await waitFor(() => answerIn(socket.frames, clientId) !== null, 5_000, `the answer to ${clientId}`);
  return answerIn(socket.frames, clientId)!;
}

/** Sends messages in one frame; their acks, in order. */
async function post(socket: TestSocket, ...items: ReturnType<typeof item>[]): Promise<{ id: string; seq: number }[]> {
  socket.send({ type: 'messages', data: items });
  const answers = await Promise.all(items.map((i) => answerOf(socket, i.client_id)));
  return answers.map((answer) => (answer.ok ? { id: answer.id, seq: answer.seq } : expect.fail(`message refused: ${answer.code}`)));
}
/** Sends ops in one frame; their answers, in order. */
async function ops(socket: TestSocket, ...inputs: OpInput[]): Promise<OpAnswer[]> {
  const items = inputs.map(opItem);
  socket.send({ type: 'ops', data: items });
  return Promise.all(items.map((i) => answerOf(socket, i.client_id)));
}
const one = async (socket: TestSocket, input: OpInput) => (await ops(socket, input))[0];

/** P5: the room's messages as they stand (E4). */
async function history(socket: TestSocket, roomId: string): Promise<ChatMessage[]> {
  const page = await api(server.baseUrl, socket.hello.token, 'GET', `/v1/chat/messages?room_id=${roomId}&limit=500`);
  expect(page.status).toBe(200);
  return page.body.data as ChatMessage[];
}
/** P6: the room's whole log through a fresh socket's sync from seq 0, in seq order. */
async function catchUp(socket: TestSocket, roomId: string): Promise<Entry[]> {
  const reader = await connect(socket.hello.token);
  reader.send({ type: 'sync', room_id: roomId, after_seq: 0 });
  await waitFor(() => reader.frames.some((f) => f.type === 'synced' && f.room_id === roomId), 5_000, 'synced');
  await reader.close();
  const entries = reader.frames.flatMap((f) => (f.type === 'messages' || f.type === 'events' ? (f.data as Entry[]) : [])).filter((e) => e.room_id === roomId);
  return [...new Map(entries.map((e) => [e.seq, e])).values()].sort((a, b) => a.seq - b.seq);
}
const messagesOf = (entries: Entry[]) => entries.filter((e): e is ChatMessage => !('kind' in e));
const eventsOf = (entries: Entry[]) => entries.filter((e): e is LogEvent => 'kind' in e);
const count = async (sql: string, params: unknown[]) => (await server.db.pool.query<{ n: number }>(sql, params)).rows[0].n;
const entriesBy = (clientId: string) => count('SELECT count(*)::int AS n FROM room_events WHERE client_id = $1', [clientId]);
const roomSeq = async (roomId: string) => (await server.db.pool.query<{ s: number }>('SELECT last_seq::int AS s FROM rooms WHERE id = $1', [roomId])).rows[0].s;

describe('edits and deletes (X2, E5)', () => {
  it('[E5] of edits raced from two sockets, the one with the later seq is the content everyone ends with', async () => {
    const ana = await connect();
    const anaToo = await connect(ana.hello.token);
    const roomId = await createRoom(ana, { name: 'Drafts' });
    const [message] = await post(ana, item('first draft', { room_id: roomId }));
    const [a, b] = await Promise.all([
      one(ana, { op: 'edit', room_id: roomId, message_id: message.id, content: 'from socket one' }),
      one(anaToo, { op: 'edit', room_id: roomId, message_id: message.id, content: 'from socket two' }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    const last = a.ok && b.ok && a.seq > b.seq ? 'from socket one' : 'from socket two';
    expect(new Set([a.ok && a.seq, b.ok && b.seq])).toEqual(new Set([message.seq + 1, message.seq + 2]));
    const [stored] = await history(ana, roomId);
    expect(stored).toMatchObject({ id: message.id, content: last, edited_at: expect.any(String) });
    const edits = eventsOf(await catchUp(ana, roomId)).filter((e) => e.kind === 'edit');
    expect(edits.map((e) => e.kind === 'edit' && e.content).at(-1)).toBe(last);
    await Promise.all([ana.close(), anaToo.close()]);
  });

  it('[E5][X2] a delete beats the edits before and after it: a tombstone in history, and the old edits\' text gone from the log', async () => {
    const ana = await connect();
    const roomId = await createRoom(ana, { name: 'Oops' });
    const [message] = await post(ana, item('secret words', { room_id: roomId }));
    const target = { room_id: roomId, message_id: message.id };
    const [edited, deleted] = await ops(ana, { op: 'edit', ...target, content: 'more secret words' }, { op: 'delete', ...target });
    expect(edited.ok && deleted.ok).toBe(true);
    const head = await roomSeq(roomId);
    // After the delete an edit, and a second delete, change nothing: no entry, acked with the room's seq.
    const after = await ops(ana, { op: 'edit', ...target, content: 'back again' }, { op: 'delete', ...target });
    expect(after).toEqual([expect.objectContaining({ ok: true, seq: head }), expect.objectContaining({ ok: true, seq: head })]);
    expect(await roomSeq(roomId)).toBe(head);
    const tombstone = { id: message.id, seq: message.seq, room_id: roomId, user_id: ana.userId, client_id: expect.any(String), content: '', created_at: expect.any(String), deleted: true };
    expect(await history(ana, roomId)).toEqual([tombstone]);
    const log = await catchUp(ana, roomId);
    expect(messagesOf(log)).toEqual([tombstone]);
    expect(eventsOf(log).filter((e) => e.kind === 'edit' || e.kind === 'delete')).toEqual([
      expect.objectContaining({ kind: 'edit', message_id: message.id, content: null, edited_at: expect.any(String) }),
      expect.objectContaining({ kind: 'delete', message_id: message.id, user_id: ana.userId }),
    ]);
    expect(JSON.stringify(log)).not.toContain('secret');
    await ana.close();
  });

  it('[X2][P7] only the author edits; the author or the group\'s owner deletes; others are refused forbidden (403 over REST)', async () => {
    const [owner, ana, ben] = await Promise.all([connect(), connect(), connect()]);
    const roomId = await createRoom(owner, { name: 'Moderated', userIds: [ana.userId, ben.userId] });
    const [m1, m2] = await post(ana, item('ana one', { room_id: roomId }), item('ana two', { room_id: roomId }));
    const forbidden = { ok: false, code: 'forbidden' };
    expect(await one(ben, { op: 'edit', room_id: roomId, message_id: m1.id, content: 'ben was here' })).toMatchObject(forbidden);
    expect(await one(ben, { op: 'delete', room_id: roomId, message_id: m1.id })).toMatchObject(forbidden);
    expect(await one(owner, { op: 'edit', room_id: roomId, message_id: m1.id, content: 'owner was here' })).toMatchObject(forbidden);
    expect((await api(server.baseUrl, ben.hello.token, 'PATCH', `/v1/chat/messages/${m1.id}`, { content: 'ben' })).body).toMatchObject({ code: 'forbidden' });
    expect((await api(server.baseUrl, ben.hello.token, 'DELETE', `/v1/chat/messages/${m1.id}`)).status).toBe(403);
    expect(await one(owner, { op: 'delete', room_id: roomId, message_id: m1.id })).toMatchObject({ ok: true });
    expect(await one(ana, { op: 'delete', room_id: roomId, message_id: m2.id })).toMatchObject({ ok: true });
    expect((await history(ben, roomId)).map((m) => m.deleted)).toEqual([true, true]);
    // general has no owner: nobody deletes anyone else's message there.
    const [inGeneral] = await post(ana, item('mine in general'));
    expect(await one(owner, { op: 'delete', room_id: 'general', message_id: inGeneral.id })).toMatchObject(forbidden);
    expect(await one(ana, { op: 'edit', room_id: 'general', message_id: inGeneral.id, content: ' ' })).toMatchObject({ ok: false, code: 'invalid_content' });
    await Promise.all([owner.close(), ana.close(), ben.close()]);
  });

  it('[S4][X4] an edit naming a message by target_client_id in the very next frame, before its ack, applies to it', async () => {
    const ana = await connect();
    const message = item('typo teh');
    const edit = opItem({ op: 'edit', room_id: 'general', target_client_id: message.client_id, content: 'typo the' });
    ana.send({ type: 'messages', data: [message] });
    ana.send({ type: 'ops', data: [edit] });
    const [sent, edited] = [await answerOf(ana, message.client_id), await answerOf(ana, edit.client_id)];
    expect(edited).toMatchObject({ ok: true, seq: sent.ok ? sent.seq + 1 : -1 });
    const stored = (await history(ana, 'general')).find((m) => m.client_id === message.client_id);
    expect(stored).toMatchObject({ content: 'typo the', edited_at: expect.any(String) });
    // Someone else's client_id names nothing of theirs.
    const ben = await connect();
    expect(await one(ben, { op: 'edit', room_id: 'general', target_client_id: message.client_id, content: 'x' })).toMatchObject({ ok: false, code: 'unknown_message' });
    expect(await one(ben, { op: 'react', room_id: 'general', emoji: '👍' })).toMatchObject({ ok: false, code: 'invalid_op' });
    await Promise.all([ana.close(), ben.close()]);
  });
});

describe('reactions (X3, E5)', () => {
  it('[X3][E5] react and unreact toggle; a repeated react or an unreact not there changes nothing; counts are per emoji with who reacted', async () => {
    const [ana, ben] = await Promise.all([connect(), connect()]);
    const roomId = await createRoom(ana, { name: 'Likes', userIds: [ben.userId] });
    const [message] = await post(ana, item('react to me', { room_id: roomId }));
    const on = { room_id: roomId, message_id: message.id };
    const activity = async () => (await server.db.pool.query<{ at: Date }>('SELECT last_activity_at AS at FROM rooms WHERE id = $1', [roomId])).rows[0].at.getTime();
    const activeAt = await activity();
    expect(await one(ana, { op: 'react', ...on, emoji: '👍' })).toMatchObject({ ok: true });
    // [M6] a reaction (like an edit or a delete) moves the log on, not the room's place in the list.
    expect(await activity()).toBe(activeAt);
    expect(await one(ben, { op: 'react', ...on, emoji: '👍' })).toMatchObject({ ok: true });
    expect(await one(ben, { op: 'react', ...on, emoji: '❤️' })).toMatchObject({ ok: true });
    const head = await roomSeq(roomId);
    expect(await ops(ana, { op: 'react', ...on, emoji: '👍' }, { op: 'unreact', ...on, emoji: '❤️' })).toEqual([
      expect.objectContaining({ ok: true, seq: head }),
      expect.objectContaining({ ok: true, seq: head }),
    ]);
    expect((await history(ana, roomId))[0].reactions).toEqual([
      { emoji: '👍', count: 2, user_ids: [ana.userId, ben.userId] },
      { emoji: '❤️', count: 1, user_ids: [ben.userId] },
    ]);
    // 👍 keeps its place while someone still has it, and goes when the last one takes it back.
    expect(await one(ana, { op: 'unreact', ...on, emoji: '👍' })).toMatchObject({ ok: true, seq: head + 1 });
    expect((await history(ben, roomId))[0].reactions).toEqual([
      { emoji: '👍', count: 1, user_ids: [ben.userId] },
      { emoji: '❤️', count: 1, user_ids: [ben.userId] },
    ]);
    await ops(ben, { op: 'unreact', ...on, emoji: '👍' }, { op: 'react', ...on, emoji: '👍' });
    expect((await history(ben, roomId))[0].reactions!.map((r) => r.emoji)).toEqual(['❤️', '👍']);
    for (const emoji of ['a', '👍👍', ':)', '🇫']) expect(await one(ana, { op: 'react', ...on, emoji })).toMatchObject({ ok: false, code: 'invalid_op' });
    await Promise.all([ana.close(), ben.close()]);
  });

  it('[X3] at most 50 different emoji on a message: a new 51st is refused, one already there is still welcome', async () => {
    const ana = await connect();
    const [message] = await post(ana, item('so popular'));
    const emoji = Array.from({ length: 51 }, (_, i) => String.fromCodePoint(0x1f600 + i));
    const answers = await ops(ana, ...emoji.slice(0, 50).map((e) => ({ op: 'react' as const, room_id: 'general', message_id: message.id, emoji: e })));
    expect(answers.every((answer) => answer.ok)).toBe(true);
    const ben = await connect();
    expect(await one(ben, { op: 'react', room_id: 'general', message_id: message.id, emoji: emoji[50] })).toMatchObject({ ok: false, code: 'invalid_op' });
    expect(await one(ben, { op: 'react', room_id: 'general', message_id: message.id, emoji: emoji[0] })).toMatchObject({ ok: true });
    await Promise.all([ana.close(), ben.close()]);
  });

  it('[E3] a resent op (same client_id) is one log entry and gets the same ack, an op that changed nothing included', async () => {
    const ana = await connect();
    const [message] = await post(ana, item('once'));
    const edit = opItem({ op: 'edit', room_id: 'general', message_id: message.id, content: 'only once' });
    const react = opItem({ op: 'react', room_id: 'general', message_id: message.id, emoji: '🎉' });
    const again = opItem({ op: 'react', room_id: 'general', message_id: message.id, emoji: '🎉' });
    const first = await ops(ana, edit, react, again);
    const resent = await ops(ana, edit, react, again);
    expect(resent).toEqual(first);
    expect([await entriesBy(edit.client_id), await entriesBy(react.client_id), await entriesBy(again.client_id)]).toEqual([1, 1, 0]);
    expect((await history(ana, 'general')).find((m) => m.id === message.id)?.reactions).toEqual([{ emoji: '🎉', count: 1, user_ids: [ana.userId] }]);
    await ana.close();
  });
});

describe('replies and current state (X1, E2, E4, M3)', () => {
  it('[X1] reply_to by id, by own client_id (the same frame too) quotes the target; another room\'s message or another\'s client_id is dropped', async () => {
    const [ana, ben] = await Promise.all([connect(), connect()]);
    const roomId = await createRoom(ana, { name: 'Threads', userIds: [ben.userId] });
    const [elsewhere] = await post(ana, item('in general'));
    const long = 'x'.repeat(REPLY_EXCERPT_LENGTH + 50);
    const first = item(long, { room_id: roomId });
    const byClientId = item('same frame', { room_id: roomId, reply_to: first.client_id });
    const [target, reply1] = await post(ana, first, byClientId);
    const [reply2, crossRoom, notMine] = await post(
      ben,
      item('by id', { room_id: roomId, reply_to: target.id }),
      item('cross-room', { room_id: roomId, reply_to: elsewhere.id }),
      item('by her client_id', { room_id: roomId, reply_to: first.client_id }),
    );
    const quote = { id: target.id, user_id: ana.userId, seq: target.seq, excerpt: long.slice(0, REPLY_EXCERPT_LENGTH) };
    // Live: the broadcast carries the quote.
    await waitFor(() => ben.all('messages').flatMap((f) => f.data).some((m) => m.id === notMine.id), 5_000, 'broadcast');
    const live = new Map(ben.all('messages').flatMap((f) => f.data).map((m) => [m.id, m]));
    expect(live.get(reply1.id)?.reply_to).toEqual(quote);
    expect(live.get(reply2.id)?.reply_to).toEqual(quote);
    expect(live.get(crossRoom.id)).not.toHaveProperty('reply_to');
    expect(live.get(notMine.id)).not.toHaveProperty('reply_to');
    // As it stands: the quote follows its target's edit, then its deletion.
    await one(ana, { op: 'edit', room_id: roomId, message_id: target.id, content: 'short now' });
    expect((await history(ben, roomId)).find((m) => m.id === reply2.id)?.reply_to).toEqual({ ...quote, excerpt: 'short now' });
    await one(ana, { op: 'delete', room_id: roomId, message_id: target.id });
    expect((await history(ben, roomId)).find((m) => m.id === reply1.id)?.reply_to).toEqual({ ...quote, excerpt: '', deleted: true });
    await Promise.all([ana.close(), ben.close()]);
  });

  it('[E4][P5][P6] history and catch-up agree on how every message stands: contents, tombstones, reactions, quotes; the room list shows the newest as it stands', async () => {
    const [ana, ben] = await Promise.all([connect(), connect()]);
    const roomId = await createRoom(ana, { name: 'State', userIds: [ben.userId] });
    const [m1, m2] = await post(ana, item('one', { room_id: roomId }), item('two', { room_id: roomId }));
    const [m3] = await post(ben, item('three', { room_id: roomId, reply_to: m1.id }));
    const on = (id: string) => ({ room_id: roomId, message_id: id });
    await ops(ana, { op: 'edit', ...on(m1.id), content: 'one, edited' }, { op: 'delete', ...on(m2.id) }, { op: 'react', ...on(m3.id), emoji: '🙂' });
    await ops(ben, { op: 'react', ...on(m3.id), emoji: '🙂' }, { op: 'react', ...on(m2.id), emoji: '👀' }, { op: 'edit', ...on(m3.id), content: 'three!' });
    const served = await history(ben, roomId);
    expect(messagesOf(await catchUp(ben, roomId))).toEqual(served);
    expect(served.map(({ content, deleted, edited_at, reactions, reply_to }) => ({ content, deleted, edited: edited_at !== undefined, reactions, reply_to }))).toEqual([
      { content: 'one, edited', deleted: undefined, edited: true, reactions: undefined, reply_to: undefined },
      { content: '', deleted: true, edited: false, reactions: undefined, reply_to: undefined },
      {
        content: 'three!',
        deleted: undefined,
        edited: true,
        reactions: [{ emoji: '🙂', count: 2, user_ids: [ana.userId, ben.userId] }],
        reply_to: { id: m1.id, user_id: ana.userId, seq: m1.seq, excerpt: 'one, edited' },
      },
    ]);
    const lastMessage = async () => (await api(server.baseUrl, ana.hello.token, 'GET', `/v1/rooms/${roomId}`)).body.last_message;
    expect(await lastMessage()).toMatchObject({ seq: m3.seq, excerpt: 'three!' });
    await one(ben, { op: 'delete', ...on(m3.id) });
    expect(await lastMessage()).toEqual({ seq: m3.seq, user_id: ben.userId, excerpt: '', created_at: expect.any(String), deleted: true });
    await Promise.all([ana.close(), ben.close()]);
  });

  it('[E2][P4] a seed-style client reading only messages frames sees each message once; the actions travel as events', async () => {
    const listener = await connect();
    const ana = await connect();
    const [message] = await post(ana, item('hello seeds'));
    const on = { room_id: 'general', message_id: message.id };
    const done = await ops(ana, { op: 'edit', ...on, content: 'hello, seeds' }, { op: 'react', ...on, emoji: '🌱' }, { op: 'unreact', ...on, emoji: '🌱' }, { op: 'delete', ...on });
    const lastSeq = done.at(-1)!.ok ? (done.at(-1) as { seq: number }).seq : -1;
    await waitFor(() => listener.all('events').some((f) => f.data.some((e) => e.seq === lastSeq)), 5_000, 'events');
    const copies = listener.all('messages').flatMap((f) => f.data).filter((m) => m.id === message.id);
    expect(copies).toEqual([expect.objectContaining({ content: 'hello seeds', seq: message.seq })]);
    const actions = listener.all('events').flatMap((f) => f.data).filter((e) => e.seq > message.seq);
    expect(actions.map((e) => [e.kind, e.user_id, 'message_id' in e && e.message_id])).toEqual(
      ['edit', 'react', 'unreact', 'delete'].map((kind) => [kind, ana.userId, message.id]),
    );
    await Promise.all([listener.close(), ana.close()]);
  });

  it('[M3] a stranger\'s op on a group\'s message is unknown_room, and REST answers 404 exactly as for a message that does not exist', async () => {
    const [owner, stranger] = await Promise.all([connect(), connect()]);
    const roomId = await createRoom(owner, { name: 'Private' });
    const [secret] = await post(owner, item('members only', { room_id: roomId }));
    for (const op of [{ op: 'edit', content: 'x' }, { op: 'delete' }, { op: 'react', emoji: '👍' }, { op: 'unreact', emoji: '👍' }]) {
      expect(await one(stranger, { ...op, room_id: roomId, message_id: secret.id } as OpInput)).toMatchObject({ ok: false, code: 'unknown_room' });
    }
    // Naming it from a room they are in finds nothing there.
    expect(await one(stranger, { op: 'react', room_id: 'general', message_id: secret.id, emoji: '👍' })).toMatchObject({ ok: false, code: 'unknown_message' });
    const missing = ulid();
    for (const [method, path, body] of [
      ['PATCH', '', { content: 'x' }],
      ['DELETE', '', undefined],
      ['POST', '/reactions', { emoji: '👍' }],
      ['DELETE', `/reactions/${encodeURIComponent('👍')}`, undefined],
      // Even a refusable request says nothing more of a message it cannot see.
      ['PATCH', '', { content: ' ' }],
      ['POST', '/reactions', { emoji: 'no' }],
    ] as const) {
      const [onSecret, onMissing] = await Promise.all([secret.id, missing].map((id) => api(server.baseUrl, stranger.hello.token, method, `/v1/chat/messages/${id}${path}`, body)));
      expect(onSecret).toMatchObject({ status: 404, body: { code: 'unknown_message' } });
      expect(JSON.stringify(onSecret).replace(secret.id, missing)).toBe(JSON.stringify(onMissing));
    }
    expect((await history(owner, roomId))[0]).toEqual(expect.not.objectContaining({ edited_at: expect.anything() }));
    await Promise.all([owner.close(), stranger.close()]);
  });
});

describe('REST twins (P12)', () => {
  it('[P12][E3] PATCH, DELETE and the reactions routes act like their ops, apply once per Idempotency-Key, and 404 an unknown id', async () => {
    const ana = await connect();
    const [message] = await post(ana, item('over REST'));
    const call = (method: string, path: string, body?: unknown, key?: string) =>
      api(server.baseUrl, ana.hello.token, method, `/v1/chat/messages/${message.id}${path}`, body, key ? { 'idempotency-key': key } : {});
    const key = ulid();
    const edited = await call('PATCH', '', { content: 'edited over REST' }, key);
    expect(edited).toMatchObject({ status: 200, body: { id: message.id, content: 'edited over REST', edited_at: expect.any(String) } });
    expect(await call('PATCH', '', { content: 'edited over REST' }, key)).toEqual(edited);
    expect(await entriesBy(key)).toBe(1);
    const bodyKey = ulid();
    expect((await call('POST', '/reactions', { emoji: '🚀', client_id: bodyKey })).body).toMatchObject({ reactions: [{ emoji: '🚀', count: 1, user_ids: [ana.userId] }] });
    expect((await call('POST', '/reactions', { emoji: '🚀', client_id: bodyKey })).status).toBe(200);
    expect(await entriesBy(bodyKey)).toBe(1);
    expect((await call('DELETE', `/reactions/${encodeURIComponent('🚀')}`)).status).toBe(204);
    expect((await history(ana, 'general')).find((m) => m.id === message.id)).not.toHaveProperty('reactions');
    expect((await call('POST', '/reactions', { emoji: 'no' })).body).toMatchObject({ code: 'invalid_op' });
    expect(await call('PATCH', '', { content: '   ' })).toMatchObject({ status: 400, body: { code: 'invalid_content' } });
    const deleteKey = ulid();
    expect((await call('DELETE', '', undefined, deleteKey)).status).toBe(204);
    expect((await call('DELETE', '', undefined, deleteKey)).status).toBe(204);
    expect(await entriesBy(deleteKey)).toBe(1);
    expect((await call('PATCH', '', { content: 'too late' })).body).toMatchObject({ id: message.id, content: '', deleted: true });
    expect((await api(server.baseUrl, ana.hello.token, 'DELETE', `/v1/chat/messages/${ulid()}`)).status).toBe(404);
    expect((await api(server.baseUrl, undefined, 'DELETE', `/v1/chat/messages/${message.id}`)).status).toBe(401);
    await ana.close();
  });
});
