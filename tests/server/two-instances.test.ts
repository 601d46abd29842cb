/**
 * Two app instances on one database: the per-room serialisation must come
 * from PostgreSQL (the room row lock), not from one process's queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckFrame } from '../../server/protocol.js';
import { createSession, isAck, item } from '../support/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

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

describe('two servers, one database', () => {
  it('[S2] concurrent senders on two servers get gap-free, unique seqs', async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, (_, i) => TestSocket.connect((i % 2 ? a : b).wsUrl)));
    for (let round = 0; round < 10; round++) for (const socket of sockets) socket.send({ type: 'messages', data: [item(`r${round}`)] });
    const errors: unknown[] = [];
    await Promise.all(
      sockets.map(async (socket) => {
        for (let round = 0; round < 10; round++) {
          const frame = await socket.next((f) => f.type === 'message_ids' || f.type === 'error');
          if (frame.type === 'error') errors.push(frame);
        }
      }),
    );
    expect(errors).toEqual([]);
    const { rows } = await db.pool.query<{ seq: number }>("SELECT seq FROM messages WHERE room_id = 'general' ORDER BY seq");
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await Promise.all(sockets.map((socket) => socket.close()));
  });

  it('[S3] the same client_id raced through both servers is stored once with one ULID', async () => {
    const session = await createSession(a.baseUrl);
    const sockets = await Promise.all([a, b, a, b].map((server) => TestSocket.connect(server.wsUrl, session.token)));
    const message = item('raced across servers');
    for (const socket of sockets) socket.send({ type: 'messages', data: [message] });
    const acks = await Promise.all(sockets.map((socket) => socket.next<AckFrame>(isAck)));
    expect(new Set(acks.map((ack) => ack.message_ids[0])).size).toBe(1);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM messages WHERE client_id = $1', [message.client_id]);
    expect(rows[0].n).toBe(1);
    await Promise.all(sockets.map((socket) => socket.close()));
  });
});
