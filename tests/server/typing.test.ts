/**
 * L2 typing indicators and L5 (live signals cross instances, members only):
 * two app instances on one database; signals go through LISTEN/NOTIFY and
 * are never stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, TYPING_MIN_INTERVAL_MS, type ErrorFrame, type ServerFrame, type TypingFrame } from '../../server/protocol/index.js';
import { TypingLimiter } from '../../server/live/typing.socket.js';
import type { Subscriber } from '../../server/realtime/room-hub.js';
import { createSession, waitFor } from '../support/fixtures.js';
import { createRoom, sendOp } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

/** How long a test waits to be sure a frame does not come. */
const QUIET_MS = 400;

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

const isTyping = (frame: ServerFrame): frame is TypingFrame => frame.type === 'typing';
const typingOf = (socket: TestSocket) => socket.frames.filter(isTyping);
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

/**
 * The socket hears the room: the entry that created it or let its user in
 * reached the socket's instance, whose hub now counts it a member. (An ack
 * can come before the instance hears its own commit's NOTIFY.)
 */
async function subscribed(socket: TestSocket, roomId: string) {
  await waitFor(() => socket.all('events').some((frame) => frame.data.some((event) => event.room_id === roomId)), 5_000, 'subscribed to the room');
}

async function connectAs(server: TestServer, token: string) {
  return TestSocket.connect(server.wsUrl, token);
}

describe('L2 typing', () => {
  it('[L2][L5] reaches the other members on both instances, not a stranger, not the sender, not the sender\'s other device', async () => {
    const [ana, ben, cid, eve] = await Promise.all([a, a, a, a].map((server) => createSession(server.baseUrl)));
    const anaHere = await connectAs(a, ana.token);
    const anaThere = await connectAs(b, ana.token);
    const benThere = await connectAs(b, ben.token);
    const cidHere = await connectAs(a, cid.token);
    const eveHere = await connectAs(a, eve.token);
    const eveThere = await connectAs(b, eve.token);
    const roomId = await createRoom(anaHere, { userIds: [ben.user_id, cid.user_id] });
    await subscribed(anaHere, roomId);
    await waitFor(() => benThere.all('events').some((frame) => frame.data.some((event) => event.room_id === roomId)), 5_000, 'ben subscribed');
    await waitFor(() => cidHere.all('events').some((frame) => frame.data.some((event) => event.room_id === roomId)), 5_000, 'cid subscribed');
    const { rows: before } = await db.pool.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [roomId]);

    anaHere.send({ type: 'typing', room_id: roomId, typing: true });
    const expected: TypingFrame = { type: 'typing', room_id: roomId, user_id: ana.user_id, typing: true };
    expect(await benThere.next(isTyping)).toEqual(expected);
    expect(await cidHere.next(isTyping)).toEqual(expected);
    await quiet();
    for (const socket of [anaHere, anaThere, eveHere, eveThere]) expect(typingOf(socket)).toEqual([]);

    // Never stored: the room's log did not move.
    const { rows: after } = await db.pool.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [roomId]);
    expect(after[0].last_seq).toBe(before[0].last_seq);

    anaThere.send({ type: 'typing', room_id: roomId, typing: false });
    // Ana's other device had not said true: its false is nothing to relay (rate limit is per socket).
    anaThere.send({ type: 'typing', room_id: roomId, typing: true });
    anaThere.send({ type: 'typing', room_id: roomId, typing: false });
    await waitFor(() => typingOf(cidHere).length === 3, 5_000, 'true, then true and false from the other device');
    expect(typingOf(cidHere).map((frame) => frame.typing)).toEqual([true, true, false]);
    await Promise.all([anaHere, anaThere, benThere, cidHere, eveHere, eveThere].map((socket) => socket.close()));
  });

  it('[L2][M4] a member removed from the room hears its typing no more', async () => {
    const [ana, ben] = await Promise.all([a, a].map((server) => createSession(server.baseUrl)));
    const anaHere = await connectAs(a, ana.token);
    const benThere = await connectAs(b, ben.token);
    const roomId = await createRoom(anaHere, { userIds: [ben.user_id] });
    await subscribed(anaHere, roomId);
    await waitFor(() => benThere.all('events').some((frame) => frame.data.some((event) => event.room_id === roomId)), 5_000, 'ben subscribed');
    expect((await sendOp(anaHere, { op: 'member.remove', room_id: roomId, user_ids: [ben.user_id] })).ok).toBe(true);
    await waitFor(() => benThere.all('events').some((frame) => frame.data.some((event) => event.kind === 'member' && event.room_id === roomId && event.action === 'removed')), 5_000, 'removal heard');
    anaHere.send({ type: 'typing', room_id: roomId, typing: true });
    await quiet();
    expect(typingOf(benThere)).toEqual([]);
    // And Ben may not signal there.
    benThere.send({ type: 'typing', room_id: roomId, typing: true });
    expect(await benThere.next<ErrorFrame>((frame) => frame.type === 'error')).toMatchObject({ code: ErrorCode.UnknownRoom });
    await Promise.all([anaHere, benThere].map((socket) => socket.close()));
  });

  it('[L2] is rate-limited per socket and room: extra signals are dropped silently', async () => {
    const [ana, ben] = await Promise.all([a, a].map((server) => createSession(server.baseUrl)));
    const anaHere = await connectAs(a, ana.token);
    const benThere = await connectAs(b, ben.token);
    const roomId = await createRoom(anaHere, { userIds: [ben.user_id] });
    await subscribed(anaHere, roomId);
    await waitFor(() => benThere.all('events').some((frame) => frame.data.some((event) => event.room_id === roomId)), 5_000, 'ben subscribed');
    for (let i = 0; i < 5; i++) anaHere.send({ type: 'typing', room_id: roomId, typing: true });
    anaHere.send({ type: 'typing', room_id: roomId, typing: false });
    anaHere.send({ type: 'typing', room_id: roomId, typing: false });
    await waitFor(() => typingOf(benThere).length >= 2, 5_000, 'one true and one false');
    await quiet();
    expect(typingOf(benThere).map((frame) => frame.typing)).toEqual([true, false]);
    // The sender is told nothing.
    expect(anaHere.frames.filter((frame) => frame.type === 'error')).toEqual([]);
    await Promise.all([anaHere, benThere].map((socket) => socket.close()));
  });

  it('[L2] the limiter lets one true through per interval, and a false only after a true', () => {
    let now = 0;
    const limiter = new TypingLimiter(() => now);
    const socket: Subscriber = { userId: 'u', send: () => undefined };
    expect(limiter.allow(socket, 'general', false)).toBe(false);
    expect(limiter.allow(socket, 'general', true)).toBe(true);
    now += TYPING_MIN_INTERVAL_MS - 1;
    expect(limiter.allow(socket, 'general', true)).toBe(false);
    // Another room has a limit of its own.
    expect(limiter.allow(socket, 'other', true)).toBe(true);
    expect(limiter.allow(socket, 'general', false)).toBe(true);
    expect(limiter.allow(socket, 'general', false)).toBe(false);
    now += 1;
    expect(limiter.allow(socket, 'general', true)).toBe(true);
  });

  it('[L2][M3] invalid frames and rooms not yours are answered with an error that tells nothing', async () => {
    const [ana, eve] = await Promise.all([a, a].map((server) => createSession(server.baseUrl)));
    const anaHere = await connectAs(a, ana.token);
    const eveHere = await connectAs(b, eve.token);
    const roomId = await createRoom(anaHere);
    const errorOf = async (frame: Record<string, unknown>) => {
      eveHere.send(frame);
      return eveHere.next<ErrorFrame>((f) => f.type === 'error');
    };
    expect(await errorOf({ type: 'typing', room_id: 'NOT A ROOM', typing: true })).toMatchObject({ code: ErrorCode.InvalidFrame });
    expect(await errorOf({ type: 'typing', room_id: 'general', typing: 'yes' })).toMatchObject({ code: ErrorCode.InvalidFrame });
    expect(await errorOf({ type: 'typing', typing: true })).toMatchObject({ code: ErrorCode.InvalidFrame });
    const privateRoom = await errorOf({ type: 'typing', room_id: roomId, typing: true });
    const noRoom = await errorOf({ type: 'typing', room_id: 'no-such-room', typing: true });
    expect(privateRoom.code).toBe(ErrorCode.UnknownRoom);
    expect(noRoom).toEqual(privateRoom);
    await quiet();
    expect(typingOf(anaHere)).toEqual([]);
    // The socket stays open and usable.
    eveHere.send({ type: 'ping' });
    await eveHere.next((f) => f.type === 'pong');
    await Promise.all([anaHere, eveHere].map((socket) => socket.close()));
  });

  it('[L2] in general everyone else hears it', async () => {
    const [ana, ben] = await Promise.all([a, a].map((server) => createSession(server.baseUrl)));
    const anaHere = await connectAs(a, ana.token);
    const benThere = await connectAs(b, ben.token);
    anaHere.send({ type: 'typing', room_id: 'general', typing: true });
    const frame = await benThere.next<TypingFrame>((f) => isTyping(f) && f.user_id === ana.user_id);
    expect(frame).toEqual({ type: 'typing', room_id: 'general', user_id: ana.user_id, typing: true });
    await Promise.all([anaHere, benThere].map((socket) => socket.close()));
  });
});
