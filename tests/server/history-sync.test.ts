import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckFrame, ChatMessage, HistoryResponse, SyncedFrame } from '../../server/protocol/index.js';
import { createSession, isAck, isMessages, item, received } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
const ROOM = 'history';
const TOTAL = 120;
let stored: ChatMessage[];

async function history(query: string): Promise<{ status: number; body: HistoryResponse }> {
  const response = await fetch(`${server.baseUrl}/v1/chat/messages?${query}`);
  return { status: response.status, body: (await response.json()) as HistoryResponse };
}

beforeAll(async () => {
  server = await startTestServer();
  await server.db.pool.query("INSERT INTO rooms (id, name, everyone) VALUES ($1, 'History', true)", [ROOM]);
  const socket = await TestSocket.connect(server.wsUrl);
  for (let start = 0; start < TOTAL; start += 40) {
    socket.send({ type: 'messages', data: Array.from({ length: 40 }, (_, i) => item(`h${start + i}`, { room_id: ROOM })) });
    await socket.next<AckFrame>(isAck);
  }
  await socket.close();
  stored = (await history(`room_id=${ROOM}&after_seq=0&limit=500`)).body.data;
});
afterAll(async () => {
  await server.close();
});

describe('P5 history', () => {
  it('[P5] returns the seed shape in seq order with the P4 fields', async () => {
    const { status, body } = await history(`room_id=${ROOM}&limit=10`);
    expect(status).toBe(200);
    expect(body.type).toBe('messages');
    expect(body.has_more).toBe(true);
    // Without a cursor: the newest page, still in ascending seq order.
    expect(body.data.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => TOTAL - 9 + i));
    expect(Object.keys(body.data[0]).sort()).toEqual(['client_id', 'content', 'created_at', 'id', 'room_id', 'seq', 'user_id']);
  });

  it('[P5] pages backwards with before_seq until has_more is false, covering every message once', async () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const { body } = await history(`room_id=${ROOM}&limit=25${before === undefined ? '' : `&before_seq=${before}`}`);
      seen.unshift(...body.data.map((m) => m.seq));
      if (!body.has_more) break;
      before = body.data[0].seq;
    }
    expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
  });

  it('[P5] pages forwards with after_seq; after_seq and before_seq together bound a window', async () => {
    const { body } = await history(`room_id=${ROOM}&after_seq=100&limit=50`);
    expect(body.data.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 101 + i));
    expect(body.has_more).toBe(false);
    const window = await history(`room_id=${ROOM}&after_seq=10&before_seq=15`);
    expect(window.body.data.map((m) => m.seq)).toEqual([11, 12, 13, 14]);
  });

  it('[P5] defaults to the general room and rejects bad parameters with 400', async () => {
    const general = await history('');
    expect(general.status).toBe(200);
    expect(general.body.data.every((m) => m.room_id === 'general')).toBe(true);
    for (const query of ['limit=0', 'limit=1.5', 'after_seq=-1', 'after_seq=abc', 'room_id=Not%20A%20Room']) {
      const { status, body } = await history(query);
      expect(status, query).toBe(400);
      expect(body).toMatchObject({ type: 'error', code: 'invalid_request' });
    }
  });

  it('[P5] a limit over the maximum is read as the maximum, never refused', async () => {
    const { status, body } = await history(`room_id=${ROOM}&after_seq=0&limit=100000`);
    expect(status).toBe(200);
    expect(body.data).toHaveLength(TOTAL);
  });

  it('[P5][M3] an unknown room is 404 with a token, 401 without one (only everyone\'s rooms are read without)', async () => {
    const { token } = await createSession(server.baseUrl);
    const response = await fetch(`${server.baseUrl}/v1/chat/messages?room_id=nowhere`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'error', code: 'unknown_room' });
    expect((await history('room_id=nowhere')).status).toBe(401);
  });
});

describe('P6 catch-up', () => {
  it('[P6] sync answers everything after N in P4 frames, then synced with the last seq', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    socket.send({ type: 'sync', room_id: ROOM, after_seq: 100 });
    const synced = await socket.next<SyncedFrame>((f) => f.type === 'synced');
    expect(synced).toEqual({ type: 'synced', room_id: ROOM, seq: TOTAL });
    expect(received(socket.frames)).toEqual(stored.slice(100));
    await socket.close();
  });

  it('[P6] a large backlog is paged (each frame at most 500 messages)', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const big = Array.from({ length: 6 }, () => Array.from({ length: 100 }, (_, i) => item(`bulk ${i}`, { room_id: 'paged' })));
    await server.db.pool.query("INSERT INTO rooms (id, name, everyone) VALUES ('paged', 'Paged', true)");
    for (const data of big) {
      socket.send({ type: 'messages', data });
      await socket.next(isAck);
    }
    const reader = await TestSocket.connect(server.wsUrl);
    reader.send({ type: 'sync', room_id: 'paged', after_seq: 0 });
    await reader.next((f) => f.type === 'synced');
    // The last sends' broadcasts may still be on their way (fan-out runs
    // after the ack) and reach the reader too, as small frames of their own.
    const pages = reader.all('messages').map((frame) => frame.data.length);
    expect(Math.max(...pages)).toBe(500);
    expect(received(reader.frames).map((m) => m.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    await Promise.all([socket.close(), reader.close()]);
  });

  it('[P6] catch-up after a disconnect returns exactly what was missed, and the room is live afterwards', async () => {
    const watcher = await TestSocket.connect(server.wsUrl);
    watcher.send({ type: 'sync', room_id: ROOM, after_seq: TOTAL });
    const { seq: lastSeen } = await watcher.next<SyncedFrame>((f) => f.type === 'synced');
    const token = watcher.hello.token;
    await watcher.close();

    const talker = await TestSocket.connect(server.wsUrl);
    const missed = Array.from({ length: 7 }, (_, i) => item(`missed ${i}`, { room_id: ROOM }));
    talker.send({ type: 'messages', data: missed });
    await talker.next(isAck);

    const back = await TestSocket.connect(server.wsUrl, token);
    back.send({ type: 'sync', room_id: ROOM, after_seq: lastSeen });
    const synced = await back.next<SyncedFrame>((f) => f.type === 'synced');
    // The live fan-out of those same commits may also reach the socket once
    // it is subscribed; clients drop such copies by seq (README, P6).
    const caughtUp = [...new Map(received(back.frames).map((m) => [m.seq, m])).values()].sort((a, b) => a.seq - b.seq);
    expect(caughtUp.map((m) => m.client_id)).toEqual(missed.map((m) => m.client_id));
    expect(caughtUp.map((m) => m.seq)).toEqual(missed.map((_, i) => lastSeen + 1 + i));
    expect(synced.seq).toBe(lastSeen + missed.length);

    // Subscribed to the room by the sync: new messages arrive live.
    const live = item('live after sync', { room_id: ROOM });
    talker.send({ type: 'messages', data: [live] });
    await back.next((f) => isMessages(f) && f.data.some((m) => m.client_id === live.client_id));
    await Promise.all([talker.close(), back.close()]);
  });

  it('[P6] sync of an unknown room or with a bad cursor is an error frame; the socket stays open', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    socket.send({ type: 'sync', room_id: 'nowhere', after_seq: 0 });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'unknown_room' });
    socket.send({ type: 'sync', room_id: ROOM, after_seq: -5 });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    socket.send({ type: 'sync', room_id: ROOM, after_seq: TOTAL });
    expect(await socket.next((f) => f.type === 'synced')).toBeTruthy();
    await socket.close();
  });
});
