/**
 * Two app instances on one database: the per-room serialisation must come
 * from PostgreSQL (the room row lock), not from one process's queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckFrame } from '../../server/protocol/index.js';
import { createSession, isAck, item, received, waitFor } from '../support/fixtures.js';
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

describe('S6 fan-out across instances', () => {
  /** Every message each socket received, in arrival order. */
  const seqsOf = (socket: TestSocket) => received(socket.frames).map((m) => m.seq);

  it('[S6] messages sent on either server reach every socket on both exactly once, in seq order', async () => {
    const listeners = await Promise.all([a, b, a, b].map((server) => TestSocket.connect(server.wsUrl)));
    const senders = await Promise.all([a, b, a, b, a, b].map((server) => TestSocket.connect(server.wsUrl)));
    const { rows: before } = await db.pool.query<{ last_seq: number }>("SELECT last_seq FROM rooms WHERE id = 'general'");
    const start = before[0].last_seq;
    const perSender = 10;
    for (let round = 0; round < perSender; round++) {
      for (const [i, sender] of senders.entries()) sender.send({ type: 'messages', data: [item(`s${i} r${round}`)] });
    }
    const total = senders.length * perSender;
    const expected = Array.from({ length: total }, (_, i) => start + i + 1);
    for (const socket of [...listeners, ...senders]) {
      await waitFor(() => seqsOf(socket).filter((seq) => seq > start).length >= total, 10_000, 'all broadcasts');
      expect(seqsOf(socket).filter((seq) => seq > start)).toEqual(expected);
    }
    // Nothing arrives twice later either.
    await Promise.all([a.app.fanout.settled(), b.app.fanout.settled()]);
    for (const socket of listeners) expect(seqsOf(socket).filter((seq) => seq > start)).toEqual(expected);
    await Promise.all([...listeners, ...senders].map((socket) => socket.close()));
  });

  it('[S6] a server whose listener missed notifications catches up from the table, in order, once', async () => {
    const onB = await TestSocket.connect(b.wsUrl);
    const sender = await TestSocket.connect(a.wsUrl);
    const { rows: before } = await db.pool.query<{ last_seq: number }>("SELECT last_seq FROM rooms WHERE id = 'general'");
    const start = before[0].last_seq;
    // One message first, so B's fan-out knows where the room stands.
    sender.send({ type: 'messages', data: [item('before the outage')] });
    await waitFor(() => seqsOf(onB).includes(start + 1), 5_000, 'first broadcast');

    // Kill B's LISTEN connection and commit while it is gone.
    const { rowCount } = await db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'whisper-fanout' AND pid IN (SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%')",
    );
    expect(rowCount).toBeGreaterThanOrEqual(1);
    const during = Array.from({ length: 5 }, (_, i) => item(`during the outage ${i}`));
    for (const message of during) sender.send({ type: 'messages', data: [message] });
    for (let i = 0; i < during.length; i++) await sender.next(isAck);

    const expected = Array.from({ length: 1 + during.length }, (_, i) => start + 1 + i);
    await waitFor(() => seqsOf(onB).filter((seq) => seq > start).length >= expected.length, 15_000, 'catch-up after reconnect');
    expect(seqsOf(onB).filter((seq) => seq > start)).toEqual(expected);
    await Promise.all([onB.close(), sender.close()]);
  });
});
