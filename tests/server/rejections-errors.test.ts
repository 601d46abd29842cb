import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloseCode,
  ErrorCode,
  MAX_BATCH_SIZE,
  MAX_CONTENT_LENGTH,
  MAX_FRAME_BYTES,
  type AckFrame,
  type RejectedFrame,
} from '../../server/protocol/index.js';
import { FLOOD_BURST_FRAMES } from '../../server/realtime/chat-socket.js';
import { isAck, item } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** The socket still works: a ping is answered and a send is acked. */
async function expectUsable(socket: TestSocket) {
  socket.send({ type: 'ping' });
  await socket.next((f) => f.type === 'pong');
  const ok = item('still works');
  socket.send({ type: 'messages', data: [ok] });
  expect((await socket.next<AckFrame>(isAck)).client_ids).toEqual([ok.client_id]);
}

describe('P7 rejections', () => {
  it('[P7] empty, whitespace-only, too long, NUL and lone-surrogate contents are rejected with their client_ids', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const bad = [item(''), item('   \n\t'), item('x'.repeat(MAX_CONTENT_LENGTH + 1)), item('nul\u0000byte'), item('lone \ud800 surrogate')];
    socket.send({ type: 'messages', data: bad });
    const rejected = await socket.next<RejectedFrame>((f) => f.type === 'rejected');
    expect(rejected).toMatchObject({ code: ErrorCode.InvalidContent, client_ids: bad.map((m) => m.client_id) });
    expect(rejected.message).toEqual(expect.any(String));
    const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM messages WHERE client_id = ANY($1)', [bad.map((m) => m.client_id)]);
    expect(rows[0].n).toBe(0);
    await expectUsable(socket);
    await socket.close();
  });

  it('[P7] content of exactly the maximum length is accepted', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const longest = item('é'.repeat(MAX_CONTENT_LENGTH));
    socket.send({ type: 'messages', data: [longest] });
    expect((await socket.next<AckFrame>(isAck)).client_ids).toEqual([longest.client_id]);
    await socket.close();
  });

  it('[P7] an unknown room is rejected; good items in the same batch are stored and acked in order', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const good1 = item('good 1');
    const nowhere = item('to nowhere', { room_id: 'nowhere' });
    const wrongType = { client_id: item('').client_id, content: 42 };
    const good2 = item('good 2');
    socket.send({ type: 'messages', data: [good1, nowhere, wrongType, good2] });
    const rejections = [await socket.next<RejectedFrame>((f) => f.type === 'rejected'), await socket.next<RejectedFrame>((f) => f.type === 'rejected')];
    expect(rejections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: ErrorCode.UnknownRoom, client_ids: [nowhere.client_id] }),
        expect.objectContaining({ code: ErrorCode.InvalidMessage, client_ids: [wrongType.client_id] }),
      ]),
    );
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.client_ids).toEqual([good1.client_id, good2.client_id]);
    await socket.close();
  });

  it('[P7] a resend of a rejected item is rejected again, never stored', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const tooLong = item('y'.repeat(MAX_CONTENT_LENGTH + 10));
    socket.send({ type: 'messages', data: [tooLong] });
    await socket.next((f) => f.type === 'rejected');
    socket.send({ type: 'messages', data: [tooLong] });
    expect(await socket.next((f) => f.type === 'rejected')).toMatchObject({ client_ids: [tooLong.client_id] });
    await socket.close();
  });
});

describe('P8 malformed frames and limits', () => {
  const malformed: [string, string | Buffer, string][] = [
    ['not JSON', '{"type":', ErrorCode.InvalidFrame],
    ['a JSON string', '"hello"', ErrorCode.InvalidFrame],
    ['an array', '[1,2,3]', ErrorCode.InvalidFrame],
    ['null', 'null', ErrorCode.InvalidFrame],
    ['an unknown type', '{"type":"launch_missiles"}', ErrorCode.InvalidFrame],
    ['messages without data', '{"type":"messages"}', ErrorCode.InvalidFrame],
    ['messages with data not an array', '{"type":"messages","data":{"content":"x"}}', ErrorCode.InvalidFrame],
    ['messages with an empty batch', '{"type":"messages","data":[]}', ErrorCode.InvalidFrame],
    ['sync with after_seq as a string', '{"type":"sync","room_id":"general","after_seq":"0"}', ErrorCode.InvalidFrame],
    ['injection in type', '{"type":"messages\'; DROP TABLE messages; --"}', ErrorCode.InvalidFrame],
  ];
  for (const [name, frame, code] of malformed) {
    it(`[P8] ${name} gets an error frame and the socket stays open`, async () => {
      const socket = await TestSocket.connect(server.wsUrl);
      socket.sendRaw(frame);
      const error = await socket.next((f) => f.type === 'error');
      expect(error).toMatchObject({ type: 'error', code });
      await expectUsable(socket);
      await socket.close();
    });
  }

  it('[P8] a binary frame gets an error frame', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    socket.sendRaw(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.BinaryFrame });
    await expectUsable(socket);
    await socket.close();
  });

  it('[P8] a batch over the maximum gets batch_too_large and stores nothing', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const batch = Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => item(`b${i}`));
    socket.send({ type: 'messages', data: batch });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.BatchTooLarge });
    const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM messages WHERE client_id = $1', [batch[0].client_id]);
    expect(rows[0].n).toBe(0);
    await expectUsable(socket);
    await socket.close();
  });

  it('[P8] an oversized frame closes the socket with 1009', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    socket.sendRaw(JSON.stringify({ type: 'messages', data: [item('z'.repeat(MAX_FRAME_BYTES))] }));
    expect((await socket.closed).code).toBe(CloseCode.MessageTooBig);
  });

  it('[P8] a flood of frames closes the socket with 1008; the server keeps serving', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    for (let i = 0; i < FLOOD_BURST_FRAMES * 3; i++) socket.sendRaw('{"type":"ping"}');
    expect((await socket.closed).code).toBe(CloseCode.PolicyViolation);
    const fresh = await TestSocket.connect(server.wsUrl);
    await expectUsable(fresh);
    await fresh.close();
  });
});

describe('P9 heartbeat', () => {
  it('[P9] ping is answered with pong', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    socket.send({ type: 'ping' });
    expect(await socket.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
    await socket.close();
  });

  it('[P9] pong is answered right away even while a send is waiting on the database', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const lock = await server.db.pool.connect();
    try {
      await lock.query('BEGIN');
      await lock.query("SELECT 1 FROM rooms WHERE id = 'general' FOR UPDATE");
      socket.send({ type: 'messages', data: [item('blocked for now')] });
      socket.send({ type: 'ping' });
      await socket.next((f) => f.type === 'pong');
      expect(socket.all('message_ids')).toHaveLength(0);
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    await socket.next(isAck);
    await socket.close();
  });

  it('[P9] the server answers WebSocket-level pings (dead-peer detection works both ways)', async () => {
    const ws = new WebSocket(server.wsUrl);
    await new Promise((resolve) => ws.once('open', resolve));
    const pong = new Promise((resolve) => ws.once('pong', resolve));
    ws.ping();
    await expect(pong).resolves.toBeDefined();
    ws.close();
  });
});

describe('limits that must not bite real clients', () => {
  it('[P8] a full batch of full-length non-ASCII messages fits in one frame and is stored', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const batch = Array.from({ length: MAX_BATCH_SIZE }, () => item('中'.repeat(MAX_CONTENT_LENGTH)));
    socket.send({ type: 'messages', data: batch });
    const ack = await socket.next<AckFrame>(isAck, 15_000);
    expect(ack.client_ids).toEqual(batch.map((m) => m.client_id));
  });

  it('[P5][P8] cursors beyond the integer range are 400 / invalid_frame, never unavailable', async () => {
    for (const query of ['after_seq=99999999999999999999', 'before_seq=1e300']) {
      const response = await fetch(`${server.baseUrl}/v1/chat/messages?${query}`);
      expect(response.status, query).toBe(400);
    }
    const socket = await TestSocket.connect(server.wsUrl);
    socket.send({ type: 'sync', room_id: 'general', after_seq: 1e20 });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.InvalidFrame });
    await socket.close();
  });

  it('[P6] a cursor past the end of the room is answered with the room\'s real end', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const { rows } = await server.db.pool.query<{ last_seq: number }>("SELECT last_seq FROM rooms WHERE id = 'general'");
    socket.send({ type: 'sync', room_id: 'general', after_seq: rows[0].last_seq + 5_000_000 });
    expect(await socket.next((f) => f.type === 'synced')).toEqual({ type: 'synced', room_id: 'general', seq: rows[0].last_seq });
    await socket.close();
  });

  it('[P8] losing the database connection in the middle of a write answers unavailable and the server keeps serving', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const lock = await server.db.pool.connect();
    try {
      await lock.query('BEGIN');
      await lock.query("SELECT 1 FROM rooms WHERE id = 'general' FOR UPDATE");
      socket.send({ type: 'messages', data: [item('writer loses its connection')] });
      // Wait until the writer is blocked on the room lock, then kill its backend.
      let killed = 0;
      for (let i = 0; i < 100 && killed === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const { rowCount } = await server.db.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'whisper' AND wait_event_type = 'Lock'`,
        );
        killed = rowCount ?? 0;
      }
      expect(killed).toBe(1);
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.Unavailable });
    await expectUsable(socket);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    await socket.close();
  });
});
