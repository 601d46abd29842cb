/**
 * L3 read markers and L4 receipts, across two instances (L5): the `read`
 * op and its REST twin, `delivered` reports, the `receipts` frame, and the
 * markers and unread counts of the `rooms` frame (M6).
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, type AckFrame, type ReceiptsFrame, type Room, type RoomsFrame, type ServerFrame } from '../../server/protocol/index.js';
import { createSession, isAck, waitFor } from '../support/fixtures.js';
import { api, createRoom, sendOp } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

/** How long a test waits to be sure a frame does not come (receipts gather for RECEIPTS_FLUSH_MS first). */
const QUIET_MS = 700;

let db: TestDatabase;
let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  a = await startTestServer({ db });
  b = await startTestServer({ db });
});
afterAll(async () => {
  await a.close();
  await b.close();
  await db.drop();
});

const isReceipts = (frame: ServerFrame): frame is ReceiptsFrame => frame.type === 'receipts';
const receiptsOf = (socket: TestSocket, roomId: string) => socket.frames.filter(isReceipts).filter((frame) => frame.room_id === roomId);
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

/** Sends one message and returns its seq. */
async function post(socket: TestSocket, roomId: string, content: string): Promise<number> {
  const clientId = ulid();
  socket.send({ type: 'messages', data: [{ client_id: clientId, room_id: roomId, content }] });
  const ack = await socket.next<AckFrame>((frame) => isAck(frame) && frame.client_ids.includes(clientId));
  return ack.seqs[0];
}

/** The user's rooms as a sync shows them (M5, M6). */
async function roomsOf(socket: TestSocket): Promise<Map<string, Room>> {
  socket.send({ type: 'sync', rooms: [] });
  const frame = await socket.next<RoomsFrame>((f) => f.type === 'rooms');
  return new Map(frame.data.map((room) => [room.id, room]));
}

async function people(n: number) {
  return Promise.all(Array.from({ length: n }, () => createSession(a.baseUrl)));
}

/** Waits until `socket` hears the room (its creation reached it). */
async function hearsRoom(socket: TestSocket, roomId: string) {
  await waitFor(() => socket.all('events').some((frame) => frame.data.some((event) => event.room_id === roomId)), 5_000, 'subscribed to the room');
}

describe('L3 read markers', () => {
  it('[L3] a marker only moves forward; a seq past the end counts as the end; the ack names where it stands', async () => {
    const [ana, ben] = await people(2);
    const anaSocket = await TestSocket.connect(a.wsUrl, ana.token);
    const benSocket = await TestSocket.connect(b.wsUrl, ben.token);
    const roomId = await createRoom(anaSocket, { userIds: [ben.user_id] });
    await hearsRoom(benSocket, roomId);
    const first = await post(anaSocket, roomId, 'one');
    const second = await post(anaSocket, roomId, 'two');

    expect(await sendOp(benSocket, { op: 'read', room_id: roomId, seq: second })).toMatchObject({ ok: true, seq: second });
    // Back is no move: the answer says where the marker still is.
    expect(await sendOp(benSocket, { op: 'read', room_id: roomId, seq: first })).toMatchObject({ ok: true, seq: second });
    expect((await roomsOf(benSocket)).get(roomId)).toMatchObject({ read_seq: second, unread: 0 });
    // Past the end: the end.
    expect(await sendOp(benSocket, { op: 'read', room_id: roomId, seq: second + 1000 })).toMatchObject({ ok: true, seq: second });
    const { rows } = await db.pool.query('SELECT read_seq, delivered_seq FROM read_markers WHERE room_id = $1 AND user_id = $2', [roomId, ben.user_id]);
    expect(rows).toEqual([{ read_seq: second, delivered_seq: second }]);
    await Promise.all([anaSocket.close(), benSocket.close()]);
  });

  it('[L3][M3] a stranger\'s read is unknown_room over the socket and 404 over REST, like a room that does not exist', async () => {
    const [ana, eve] = await people(2);
    const anaSocket = await TestSocket.connect(a.wsUrl, ana.token);
    const eveSocket = await TestSocket.connect(b.wsUrl, eve.token);
    const roomId = await createRoom(anaSocket);
    const made = await sendOp(eveSocket, { op: 'read', room_id: roomId, seq: 1 });
    const missing = await sendOp(eveSocket, { op: 'read', room_id: ulid().toLowerCase(), seq: 1 });
    expect(made).toMatchObject({ ok: false, code: ErrorCode.UnknownRoom });
    expect(missing).toMatchObject({ ok: false, code: ErrorCode.UnknownRoom });
    const rest = await api(a.baseUrl, eve.token, 'POST', `/v1/rooms/${roomId}/read`, { seq: 1 });
    const restMissing = await api(a.baseUrl, eve.token, 'POST', `/v1/rooms/${ulid().toLowerCase()}/read`, { seq: 1 });
    expect(rest.status).toBe(404);
    expect(restMissing.status).toBe(404);
    expect(rest.body.code).toBe(restMissing.body.code);
    await Promise.all([anaSocket.close(), eveSocket.close()]);
  });

  it('[L3][P12] POST /v1/rooms/{id}/read marks the room read ("mark chat as read"), idempotently, and never back', async () => {
    const [ana, ben] = await people(2);
    const anaSocket = await TestSocket.connect(a.wsUrl, ana.token);
    const roomId = await createRoom(anaSocket, { userIds: [ben.user_id] });
    const seq = await post(anaSocket, roomId, 'hello');
    await post(anaSocket, roomId, 'again');
    const key = ulid();
    const marked = await api(b.baseUrl, ben.token, 'POST', `/v1/rooms/${roomId}/read`, { seq }, { 'idempotency-key': key });
    expect(marked).toEqual({ status: 200, body: { room_id: roomId, read_seq: seq } });
    expect(await api(b.baseUrl, ben.token, 'POST', `/v1/rooms/${roomId}/read`, { seq }, { 'idempotency-key': key })).toEqual(marked);
    expect((await api(b.baseUrl, ben.token, 'POST', `/v1/rooms/${roomId}/read`, { seq: 1 })).body).toEqual({ room_id: roomId, read_seq: seq });
    expect((await api(b.baseUrl, ben.token, 'POST', `/v1/rooms/${roomId}/read`, { seq: -1 })).status).toBe(400);
    const listed = await api(a.baseUrl, ben.token, 'GET', `/v1/rooms/${roomId}`);
    expect(listed.body).toMatchObject({ read_seq: seq, unread: 1 });
    await anaSocket.close();
  });

  it('[L3][M6] unread counts others\' messages after the marker, not your own, not deleted ones; a newcomer starts with none', async () => {
    const [ana, ben] = await people(2);
    const anaSocket = await TestSocket.connect(a.wsUrl, ana.token);
    const benSocket = await TestSocket.connect(b.wsUrl, ben.token);
    const roomId = await createRoom(anaSocket, { userIds: [ben.user_id] });
    await hearsRoom(benSocket, roomId);
    await post(anaSocket, roomId, 'one');
    await post(anaSocket, roomId, 'two');
    await post(benSocket, roomId, 'mine');
    const doomed = await post(anaSocket, roomId, 'three, soon deleted');
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM messages WHERE room_id = $1 AND seq = $2', [roomId, doomed]);
    expect((await sendOp(anaSocket, { op: 'delete', room_id: roomId, message_id: rows[0].id })).ok).toBe(true);
    expect((await roomsOf(benSocket)).get(roomId)).toMatchObject({ unread: 2 });
    // General has history; someone new has read none of it and has nothing unread there.
    await post(anaSocket, 'general', 'before the newcomer');
    const [cid] = await people(1);
    const cidSocket = await TestSocket.connect(a.wsUrl, cid.token);
    const general = (await roomsOf(cidSocket)).get('general')!;
    expect(general.unread).toBe(0);
    expect(general.read_seq).toBe(general.last_seq);
    expect(general.receipts).toBeUndefined();
    await post(anaSocket, 'general', 'after the newcomer');
    expect((await roomsOf(cidSocket)).get('general')).toMatchObject({ unread: 1 });
    await Promise.all([anaSocket.close(), benSocket.close(), cidSocket.close()]);
  });

  it('[L3][L5] in a public room your marker reaches your other devices on the other instance, and nobody else', async () => {
    const [ana, ben] = await people(2);
    const anaHere = await TestSocket.connect(a.wsUrl, ana.token);
    const anaThere = await TestSocket.connect(b.wsUrl, ana.token);
    const benThere = await TestSocket.connect(b.wsUrl, ben.token);
    const seq = await post(benThere, 'general', 'read me');
    expect((await sendOp(anaHere, { op: 'read', room_id: 'general', seq })).ok).toBe(true);
    const heard = await anaThere.next(isReceipts);
    expect(heard).toEqual({ type: 'receipts', room_id: 'general', data: [{ user_id: ana.user_id, delivered_seq: seq, read_seq: seq }] });
    await quiet();
    expect(receiptsOf(benThere, 'general')).toEqual([]);
    await Promise.all([anaHere.close(), anaThere.close(), benThere.close()]);
  });
});

describe('L4 receipts', () => {
  it('[L4][L5] delivered and read in a three-member group, on two instances; a stranger hears nothing', async () => {
    const [ana, ben, cid, eve] = await people(4);
    const anaSocket = await TestSocket.connect(a.wsUrl, ana.token);
    const benSocket = await TestSocket.connect(b.wsUrl, ben.token);
    const cidSocket = await TestSocket.connect(a.wsUrl, cid.token);
    const eveSocket = await TestSocket.connect(b.wsUrl, eve.token);
    const roomId = await createRoom(anaSocket, { userIds: [ben.user_id, cid.user_id] });
    await hearsRoom(benSocket, roomId);
    await hearsRoom(cidSocket, roomId);
    const before = (await roomsOf(anaSocket)).get(roomId)!;
    // Everyone starts having read the room as it was when they came in: here, before its first entry.
    const start = 0;
    expect(before.receipts).toEqual(
      [ben.user_id, cid.user_id].sort().map((userId) => ({ user_id: userId, delivered_seq: start, read_seq: start })),
    );
    const seq = await post(anaSocket, roomId, 'who has it?');

    // Ben's device stored it: delivered to Ben, not yet to Cid.
    benSocket.send({ type: 'delivered', data: [{ room_id: roomId, seq }] });
    const benHas = await anaSocket.next(isReceipts);
    expect(benHas).toEqual({ type: 'receipts', room_id: roomId, data: [{ user_id: ben.user_id, delivered_seq: seq, read_seq: start }] });
    // Cid reads it (reading implies having): Ana hears it on her instance, Ben on his.
    expect((await sendOp(cidSocket, { op: 'read', room_id: roomId, seq })).ok).toBe(true);
    const cidRead = { type: 'receipts', room_id: roomId, data: [{ user_id: cid.user_id, delivered_seq: seq, read_seq: seq }] };
    expect(await anaSocket.next(isReceipts)).toEqual(cidRead);
    await waitFor(() => receiptsOf(benSocket, roomId).some((frame) => frame.data[0].user_id === cid.user_id), 5_000, 'ben hears cid read');

    const after = (await roomsOf(anaSocket)).get(roomId)!;
    const byUser = new Map(after.receipts!.map((receipt) => [receipt.user_id, receipt]));
    // Delivered to all (both have it), read by one of two: "Read by 1".
    expect(Math.min(...after.receipts!.map((receipt) => receipt.delivered_seq))).toBeGreaterThanOrEqual(seq);
    expect(after.receipts!.filter((receipt) => receipt.read_seq >= seq).map((receipt) => receipt.user_id)).toEqual([cid.user_id]);
    expect(byUser.get(ben.user_id)).toEqual({ user_id: ben.user_id, delivered_seq: seq, read_seq: start });

    // A report that goes back, or past the end, or names a room not yours or a public room, moves nothing and tells nothing.
    benSocket.send({ type: 'delivered', data: [{ room_id: roomId, seq: start }] });
    eveSocket.send({ type: 'delivered', data: [{ room_id: roomId, seq: seq + 50 }, { room_id: 'general', seq: 1 }] });
    await quiet();
    expect(eveSocket.frames.filter(isReceipts)).toEqual([]);
    expect(eveSocket.all('error')).toEqual([]);
    expect(receiptsOf(anaSocket, roomId)).toHaveLength(2);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM read_markers WHERE room_id = $1 AND user_id = $2', [roomId, eve.user_id]);
    expect(rows[0].n).toBe(0);
    await Promise.all([anaSocket, benSocket, cidSocket, eveSocket].map((socket) => socket.close()));
  });

  it('[L4] a member who left drops out of the receipts; a malformed report is an error and the socket stays', async () => {
    const [ana, ben, cid] = await people(3);
    const anaSocket = await TestSocket.connect(a.wsUrl, ana.token);
    const benSocket = await TestSocket.connect(b.wsUrl, ben.token);
    const roomId = await createRoom(anaSocket, { userIds: [ben.user_id, cid.user_id] });
    await hearsRoom(benSocket, roomId);
    expect((await sendOp(benSocket, { op: 'member.remove', room_id: roomId, user_ids: [ben.user_id] })).ok).toBe(true);
    expect((await roomsOf(anaSocket)).get(roomId)!.receipts!.map((receipt) => receipt.user_id)).toEqual([cid.user_id]);
    benSocket.send({ type: 'delivered', data: [] });
    expect(await benSocket.next((frame) => frame.type === 'error')).toMatchObject({ code: ErrorCode.InvalidFrame });
    expect((await roomsOf(benSocket)).has(roomId)).toBe(false);
    await Promise.all([anaSocket.close(), benSocket.close()]);
  });
});
