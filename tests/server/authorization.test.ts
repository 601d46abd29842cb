/**
 * R4, M3: authorization from the outside. A stranger (a valid identity that
 * is not a member) acts on a private group and on a room id that does not
 * exist, through every REST route of the OpenAPI document and every frame
 * type the socket knows. Each must be refused, and the two answers must be
 * the same once the room id is blanked out: nobody learns whether a room
 * they are not in exists. A route or frame type added without an entry here
 * fails the sweep.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpName, type AckFrame, type ServerFrame } from '../../server/protocol/index.js';
import { isAck, item } from '../support/fixtures.js';
import { api, createRoom, opItem } from '../support/rooms-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';
import { makeJpeg, tusCreate, upload } from '../support/uploads.js';

let server: TestServer;
let owner: TestSocket;
let member: TestSocket;
let stranger: TestSocket;
let group: string;
/** A message in the group. */
let secret: string;
/** F3: a photo attached to a message in the group. */
let secretMedia: string;
/** F2: an upload of a member's, not finished. */
let memberUpload: string;
beforeAll(async () => {
  server = await startTestServer();
  [owner, member, stranger] = await Promise.all([TestSocket.connect(server.wsUrl), TestSocket.connect(server.wsUrl), TestSocket.connect(server.wsUrl)]);
  group = await createRoom(owner, { name: 'Secret plans', userIds: [member.userId] });
  owner.send({ type: 'messages', data: [item('the plan', { room_id: group })] });
  secret = (await owner.next<AckFrame>(isAck)).message_ids[0];
  const photo = await upload(server.baseUrl, owner.hello.token, await makeJpeg());
  owner.send({ type: 'messages', data: [item('the map', { room_id: group, attachments: [{ upload_id: photo.uploadId }] })] });
  await owner.next<AckFrame>(isAck);
  secretMedia = (await server.db.pool.query<{ media_id: string }>('SELECT media_id FROM uploads WHERE id = $1', [photo.uploadId])).rows[0].media_id;
  memberUpload = (await tusCreate(server.baseUrl, member.hello.token, 100)).uploadId!;
});
afterAll(async () => {
  await Promise.all([owner, member, stranger].map((socket) => socket.close()));
  await server.close();
});

/**
 * What a stranger observes, with the room id (and the client ids each call
 * mints afresh) blanked, so that "missing" and "not yours" can be compared.
 */
type Observation = unknown;
const blank = (value: unknown, roomId: string): Observation =>
  JSON.parse(JSON.stringify(value).replaceAll(roomId, '<room>').replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, '<client_id>'));

const rest = async (method: string, path: string, roomId: string, body?: unknown) => {
  const { status, body: answer } = await api(server.baseUrl, stranger.hello.token, method, path.replaceAll('{id}', roomId).replaceAll('{user_id}', member.userId), body);
  return blank({ status, answer }, roomId);
};

/** The frames a stranger's socket gets for one frame it sends, up to the answer. */
async function frameAnswer(frame: Record<string, unknown>, roomId: string, until: (f: ServerFrame) => boolean): Promise<Observation> {
  const socket = await TestSocket.connect(server.wsUrl, stranger.hello.token);
  socket.send(frame);
  await socket.next(until);
  await socket.close();
  return blank(socket.frames.slice(1), roomId);
}
const rejection = (f: ServerFrame) => f.type === 'rejected';

/** REST routes that name a room: each one, as a stranger, and what the refusal must look like. */
const ROOM_ROUTES: Record<string, { run: (roomId: string) => Promise<Observation>; expected: Record<string, unknown> }> = {
  'GET /v1/chat/messages': { run: (id) => rest('GET', `/v1/chat/messages?room_id=${id}`, id), expected: { status: 404, answer: { code: 'unknown_room' } } },
  'POST /v1/chat/messages': {
    run: (id) => rest('POST', '/v1/chat/messages', id, { data: [{ client_id: ulid(), room_id: id, content: 'hi' }] }),
    expected: { status: 422, answer: { rejected: [{ code: 'unknown_room' }] } },
  },
  'GET /v1/rooms/{id}': { run: (id) => rest('GET', '/v1/rooms/{id}', id), expected: { status: 404, answer: { code: 'unknown_room' } } },
  'PATCH /v1/rooms/{id}': { run: (id) => rest('PATCH', '/v1/rooms/{id}', id, { name: 'Mine' }), expected: { status: 404, answer: { code: 'unknown_room' } } },
  'DELETE /v1/rooms/{id}': { run: (id) => rest('DELETE', '/v1/rooms/{id}', id), expected: { status: 404, answer: { code: 'unknown_room' } } },
  'POST /v1/rooms/{id}/members': {
    run: (id) => rest('POST', '/v1/rooms/{id}/members', id, { user_ids: [stranger.userId] }),
    expected: { status: 404, answer: { code: 'unknown_room' } },
  },
  'DELETE /v1/rooms/{id}/members/{user_id}': { run: (id) => rest('DELETE', '/v1/rooms/{id}/members/{user_id}', id), expected: { status: 404, answer: { code: 'unknown_room' } } },
  // Q1: naming a room narrows the search to it; without one, only the caller's rooms are searched (tests/server/search.test.ts).
  'GET /v1/search': { run: (id) => rest('GET', `/v1/search?q=plan&room_id=${id}`, id), expected: { status: 404, answer: { code: 'unknown_room' } } },
  'POST /v1/rooms/{id}/read': { run: (id) => rest('POST', '/v1/rooms/{id}/read', id, { seq: 1 }), expected: { status: 404, answer: { code: 'unknown_room' } } },
};

/** REST routes that name a message: each one, as a stranger, on the group's message and on a message id that does not exist. */
const MESSAGE_ROUTES: Record<string, { run: (messageId: string) => Promise<Observation> }> = {
  'PATCH /v1/chat/messages/{id}': { run: (id) => rest('PATCH', `/v1/chat/messages/${id}`, id, { content: 'mine now' }) },
  'DELETE /v1/chat/messages/{id}': { run: (id) => rest('DELETE', `/v1/chat/messages/${id}`, id) },
  'POST /v1/chat/messages/{id}/reactions': { run: (id) => rest('POST', `/v1/chat/messages/${id}/reactions`, id, { emoji: '👀' }) },
  'DELETE /v1/chat/messages/{id}/reactions/{emoji}': { run: (id) => rest('DELETE', `/v1/chat/messages/${id}/reactions/${encodeURIComponent('👀')}`, id) },
};

/**
 * F2, F3: REST routes that name an upload or a media object: as a stranger,
 * on a member's (an upload of theirs, a photo in the group) and on an id that
 * does not exist. Every one must be 404 not_found, alike.
 */
const FILE_ROUTES: Record<string, { target: () => string; run: (id: string) => Promise<Observation> }> = {
  'PATCH /v1/uploads/{id}': { target: () => memberUpload, run: (id) => rest('PATCH', `/v1/uploads/${id}`, id, undefined) },
  'DELETE /v1/uploads/{id}': { target: () => memberUpload, run: (id) => rest('DELETE', `/v1/uploads/${id}`, id) },
  'GET /v1/media/{id}': { target: () => secretMedia, run: (id) => rest('GET', `/v1/media/${id}`, id) },
  'GET /v1/media/{id}/url': { target: () => secretMedia, run: (id) => rest('GET', `/v1/media/${id}/url`, id) },
};

/** REST routes that name no room, and why a stranger can learn nothing private through them. */
const NOT_ROOM_SCOPED: Record<string, string> = {
  'GET /healthz': 'liveness only',
  'POST /v1/session': 'creates an identity of its own',
  'GET /v1/rooms': 'lists the caller\'s own rooms (checked below) or the public ones',
  'POST /v1/rooms': 'creates a room of the caller\'s own; ids are client-minted ULIDs (80 random bits), so a collision is not a way to probe',
  'POST /v1/dms': 'the DM between the caller and someone: always one of the caller\'s own rooms',
  'GET /v1/users': 'people by name, for the member picker: names are what everyone in general sees anyway',
  'DELETE /v1/session': 'logs out the caller\'s own device',
  'DELETE /v1/sessions': 'logs out the caller\'s own devices',
  'POST /v1/accounts': 'claims a username for the caller\'s own identity (or a new one); a taken name is 409 (usernames are public handles, like in Telegram)',
  'GET /v1/me': 'the caller\'s own account',
  'PATCH /v1/me': 'the caller\'s own display name',
  'GET /v1/chat/ws': 'the socket: every frame type is swept below',
  'POST /v1/uploads': 'creates an upload of the caller\'s own (F2); its HEAD, PATCH and DELETE are swept with the file routes',
};

/** Frame types: what a stranger's frame naming the room gets back. */
const FRAMES: Record<string, (roomId: string) => Promise<Observation>> = {
  messages: (id) => frameAnswer({ type: 'messages', data: [item('hi', { room_id: id })] }, id, rejection),
  sync: (id) => frameAnswer({ type: 'sync', room_id: id, after_seq: 0 }, id, (f) => f.type === 'error'),
  typing: (id) => frameAnswer({ type: 'typing', room_id: id, typing: true }, id, (f) => f.type === 'error'),
  ops: async (id) => {
    const answers = [];
    for (const op of [
      { op: OpName.RoomUpdate, name: 'Mine' },
      { op: OpName.RoomDelete },
      { op: OpName.MemberAdd, user_ids: [stranger.userId] },
      { op: OpName.MemberRemove, user_ids: [member.userId] },
      { op: OpName.Edit, message_id: secret, content: 'mine now' },
      { op: OpName.Delete, message_id: secret },
      { op: OpName.React, message_id: secret, emoji: '👀' },
      { op: OpName.Unreact, message_id: secret, emoji: '👀' },
      { op: OpName.Read, seq: 1 },
    ]) {
      answers.push(await frameAnswer({ type: 'ops', data: [opItem({ ...op, room_id: id } as never)] }, id, rejection));
    }
    return answers;
  },
  // L4: a report on a room not yours moves nothing and is not answered, as for one that does not exist; a ping marks the end.
  delivered: async (id) => {
    const socket = await TestSocket.connect(server.wsUrl, stranger.hello.token);
    socket.send({ type: 'delivered', data: [{ room_id: id, seq: 1 }] });
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    await socket.close();
    return blank(socket.frames.slice(1), id);
  },
  ping: async () => 'answered with pong; names no room',
};

describe('R4 authorization sweep', () => {
  it('[R4][M3] every REST route and frame type has an entry in the sweep', async () => {
    const spec = (await (await fetch(`${server.baseUrl}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    const covered = new Set([...Object.keys(ROOM_ROUTES), ...Object.keys(MESSAGE_ROUTES), ...Object.keys(FILE_ROUTES), ...Object.keys(NOT_ROOM_SCOPED)]);
    expect(routes.filter((route) => !covered.has(route))).toEqual([]);
    expect(server.app.frames.types().filter((type) => !(type in FRAMES))).toEqual([]);
  });

  it.each(Object.keys(ROOM_ROUTES))('[R4][M3] %s: a stranger is refused alike for a private group and a room that does not exist', async (route) => {
    const { run, expected } = ROOM_ROUTES[route];
    const missing = ulid().toLowerCase();
    const [onGroup, onMissing] = [await run(group), await run(missing)];
    expect(onGroup).toMatchObject(expected);
    expect(onGroup).toEqual(onMissing);
  });

  it.each(Object.keys(MESSAGE_ROUTES))('[R4][M3][X2] %s: a stranger is refused alike for a message of a private group and one that does not exist', async (route) => {
    const missing = ulid();
    const [onSecret, onMissing] = [await MESSAGE_ROUTES[route].run(secret), await MESSAGE_ROUTES[route].run(missing)];
    expect(onSecret).toMatchObject({ status: 404, answer: { code: 'unknown_message' } });
    expect(onSecret).toEqual(onMissing);
  });

  it.each(Object.keys(FILE_ROUTES))('[R4][M3][F3] %s: a stranger is refused alike for a member\'s upload or media and an id that does not exist', async (route) => {
    const { target, run } = FILE_ROUTES[route];
    const [onTheirs, onMissing] = [await run(target()), await run(ulid())];
    expect(onTheirs).toMatchObject({ status: 404, answer: { code: 'not_found' } });
    expect(onTheirs).toEqual(onMissing);
  });

  it('[R4][F2] HEAD /v1/uploads/{id} (tus\'s offset) is the uploader\'s alone, alike for an upload of someone else\'s and none', async () => {
    const head = async (id: string) => (await fetch(`${server.baseUrl}/v1/uploads/${id}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${stranger.hello.token}` } })).status;
    expect(await head(memberUpload)).toBe(404);
    expect(await head(ulid())).toBe(404);
  });

  it.each(['messages', 'sync', 'ops', 'typing'])('[R4][M3] the %s frame: a stranger is refused alike for a private group and a room that does not exist', async (type) => {
    const missing = ulid().toLowerCase();
    const [onGroup, onMissing] = [await FRAMES[type](group), await FRAMES[type](missing)];
    expect(onGroup).toEqual(onMissing);
    const codes = JSON.stringify(onGroup).match(/"code":"[a-z_]+"/g);
    expect(new Set(codes)).toEqual(new Set(['"code":"unknown_room"']));
  });

  it('[R4][M3][L4] the delivered frame: a stranger hears nothing back for a private group or a room that does not exist', async () => {
    const missing = ulid().toLowerCase();
    const [onGroup, onMissing] = [await FRAMES.delivered(group), await FRAMES.delivered(missing)];
    expect(onGroup).toEqual([{ type: 'pong' }]);
    expect(onGroup).toEqual(onMissing);
    const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM read_markers WHERE room_id = $1 AND user_id = $2', [group, stranger.userId]);
    expect(rows[0].n).toBe(0);
  });

  it('[R4][M3][M5] a stranger\'s rooms, catch-up and live stream never show the group, while its members talk and change', async () => {
    const watcher = await TestSocket.connect(server.wsUrl, stranger.hello.token);
    watcher.send({ type: 'sync', rooms: [{ room_id: group, after_seq: 0 }] });
    await watcher.next((f) => f.type === 'synced' && f.room_id === 'general');
    owner.send({ type: 'messages', data: [item('for members only', { room_id: group })] });
    owner.send({ type: 'ops', data: [opItem({ op: OpName.RoomUpdate, room_id: group, name: 'Still secret' })] });
    const mine = await api(server.baseUrl, stranger.hello.token, 'GET', '/v1/rooms');
    // Members see it all; give the fan-out a turn to have delivered it everywhere.
    await member.next((f) => f.type === 'events' && f.data.some((e) => e.kind === 'room' && e.name === 'Still secret'));
    await server.app.fanout.settled();
    await watcher.close();
    expect(JSON.stringify(watcher.frames)).not.toContain(group);
    expect(JSON.stringify(mine.body)).not.toContain(group);
  });
});
