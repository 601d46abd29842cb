import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import type { AckFrame, ChatMessage, MessagesFrame, SyncedFrame } from '../../server/protocol/index.js';
import { createSession, isAck, item, received, restSend, waitFor } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function countByClientId(clientId: string): Promise<number> {
  const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM messages WHERE client_id = $1', [clientId]);
  return rows[0].n;
}

describe('send, ack, broadcast', () => {
  it('[P2][P3][P4] two sockets see each other\'s messages; the sender gets an ack with the stored ULID', async () => {
    const alice = await TestSocket.connect(server.wsUrl);
    const bob = await TestSocket.connect(server.wsUrl);
    const hello = item('hello bob');
    alice.send({ type: 'messages', data: [hello] });

    const ack = await alice.next<AckFrame>(isAck);
    expect(ack).toMatchObject({ type: 'message_ids', status: 'success', client_ids: [hello.client_id] });
    expect(ack.message_ids[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const atBob = await bob.next<MessagesFrame>((f) => f.type === 'messages');
    expect(atBob.data).toEqual([
      expect.objectContaining({ id: ack.message_ids[0], seq: ack.seqs[0], room_id: 'general', user_id: alice.userId, client_id: hello.client_id, content: 'hello bob' }),
    ]);
    expect(new Date(atBob.data[0].created_at).toISOString()).toBe(atBob.data[0].created_at);
    // The sender's own socket gets the broadcast too (before or after its ack).
    await waitFor(() => received(alice.frames).some((m) => m.id === ack.message_ids[0]), 5_000, 'own broadcast');

    const reply = item('hi alice');
    bob.send({ type: 'messages', data: [reply] });
    const atAlice = await alice.next<MessagesFrame>((f) => f.type === 'messages' && f.data[0].client_id === reply.client_id);
    expect(atAlice.data[0]).toMatchObject({ user_id: bob.userId, content: 'hi alice' });
    await Promise.all([alice.close(), bob.close()]);
  });

  it('[P2] a seed-style frame without client_id or room_id is stored in general', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    socket.send({ type: 'messages', data: [{ user_id: socket.userId, content: 'Hello, world!' }, { content: 'second' }] });
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.message_ids).toHaveLength(2);
    expect(ack.client_ids).toEqual([null, null]);
    expect(ack.seqs[1]).toBe(ack.seqs[0] + 1);
    await socket.close();
  });

  it('[P3] the ack lists a batch in request order', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const batch = Array.from({ length: 20 }, (_, i) => item(`m${i}`));
    socket.send({ type: 'messages', data: batch });
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.client_ids).toEqual(batch.map((m) => m.client_id));
    expect(ack.seqs).toEqual(ack.seqs.map((_, i) => ack.seqs[0] + i));
    const { rows } = await server.db.pool.query<{ id: string; content: string }>(
      'SELECT id, content FROM messages WHERE id = ANY($1) ORDER BY seq',
      [ack.message_ids],
    );
    expect(rows.map((r) => r.content)).toEqual(batch.map((m) => m.content));
    expect(rows.map((r) => r.id)).toEqual(ack.message_ids);
    await socket.close();
  });
});

describe('S3 idempotent resends', () => {
  it('[S3] a resent client_id is stored once and acked with the same ULID and seq; any re-broadcast carries that same id', async () => {
    const session = await createSession(server.baseUrl);
    const first = await TestSocket.connect(server.wsUrl, session.token);
    const listener = await TestSocket.connect(server.wsUrl);
    const message = item('only once');
    first.send({ type: 'messages', data: [message] });
    const ack1 = await first.next<AckFrame>(isAck);

    first.send({ type: 'messages', data: [message] });
    const ack2 = await first.next<AckFrame>(isAck);
    expect(ack2.message_ids).toEqual(ack1.message_ids);
    expect(ack2.seqs).toEqual(ack1.seqs);

    // Across a second socket of the same user (a reconnect).
    const second = await TestSocket.connect(server.wsUrl, session.token);
    second.send({ type: 'messages', data: [message] });
    const ack3 = await second.next<AckFrame>(isAck);
    expect(ack3.message_ids).toEqual(ack1.message_ids);

    // And over REST (the service worker's path, P10).
    const rest = await restSend(server.baseUrl, session.token, { type: 'messages', data: [message] });
    expect(rest.status).toBe(200);
    expect(rest.body.message_ids).toEqual(ack1.message_ids);
    expect(rest.body.seqs).toEqual(ack1.seqs);

    expect(await countByClientId(message.client_id)).toBe(1);
    // One more message as a marker: the listener must see the original once, then the marker.
    const marker = item('marker');
    first.send({ type: 'messages', data: [marker] });
    await listener.next((f) => f.type === 'messages' && f.data.some((m) => m.client_id === marker.client_id));
    const copies = received(listener.frames).filter((m) => m.client_id === message.client_id);
    expect(copies.length).toBeGreaterThanOrEqual(1);
    expect(new Set(copies.map((m) => `${m.id}/${m.seq}`))).toEqual(new Set([`${ack1.message_ids[0]}/${ack1.seqs[0]}`]));
    await Promise.all([first.close(), second.close(), listener.close()]);
  });

  it('[S3] the same client_id twice in one batch is one message', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const message = item('twice in a batch');
    socket.send({ type: 'messages', data: [message, message] });
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.message_ids[0]).toBe(ack.message_ids[1]);
    expect(await countByClientId(message.client_id)).toBe(1);
    await socket.close();
  });

  it('[S2][S3] a batch mixing new messages, a resend, a repeat and an item without client_id stores each new one once, gap-free', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const listener = await TestSocket.connect(server.wsUrl);
    const earlier = item('sent before');
    socket.send({ type: 'messages', data: [earlier] });
    const [earlierId, earlierSeq] = await socket.next<AckFrame>(isAck).then((ack) => [ack.message_ids[0], ack.seqs[0]]);

    const b = item('b');
    const c = item('c');
    socket.send({ type: 'messages', data: [b, { ...earlier, content: 'resent with other text' }, b, { content: 'no client id' }, c] });
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.client_ids).toEqual([b.client_id, earlier.client_id, b.client_id, null, c.client_id]);
    // The resend is answered with the stored message; only b, the item without a client_id and c are new.
    expect(ack.message_ids[1]).toBe(earlierId);
    expect(ack.seqs[1]).toBe(earlierSeq);
    expect(ack.message_ids[2]).toBe(ack.message_ids[0]);
    expect(ack.seqs[2]).toBe(ack.seqs[0]);
    const [bSeq, , , loneSeq, cSeq] = ack.seqs;
    expect([loneSeq - bSeq, cSeq - loneSeq]).toEqual([1, 1]);

    const { rows } = await server.db.pool.query<{ seq: number; content: string }>(
      'SELECT seq, content FROM messages WHERE room_id = $1 AND seq >= $2 ORDER BY seq',
      ['general', earlierSeq],
    );
    expect(rows.find((row) => row.seq === earlierSeq)?.content).toBe('sent before');
    expect(rows.filter((row) => row.seq >= bSeq && row.seq <= cSeq).map((row) => row.content)).toEqual(['b', 'no client id', 'c']);
    // Listeners get each new message once, in seq order, and never the resend again.
    await listener.next((f) => f.type === 'messages' && f.data.some((m) => m.client_id === c.client_id));
    const seen = received(listener.frames).filter((m) => m.seq >= bSeq && m.seq <= cSeq);
    expect(seen.map((m) => m.content)).toEqual(['b', 'no client id', 'c']);
    // What was broadcast is exactly what history serves (created_at included).
    const history = await server.app.messages.history({ roomId: 'general', afterSeq: bSeq - 1, limit: 3 });
    expect(seen).toEqual(history.messages);
    await Promise.all([socket.close(), listener.close()]);
  });

  it('[S3] the same client_id raced from two sockets of one user at once is stored once', async () => {
    const session = await createSession(server.baseUrl);
    const sockets = await Promise.all(Array.from({ length: 5 }, () => TestSocket.connect(server.wsUrl, session.token)));
    const message = item('raced');
    for (const socket of sockets) socket.send({ type: 'messages', data: [message] });
    const acks = await Promise.all(sockets.map((socket) => socket.next<AckFrame>(isAck)));
    expect(new Set(acks.map((ack) => ack.message_ids[0])).size).toBe(1);
    expect(await countByClientId(message.client_id)).toBe(1);
    await Promise.all(sockets.map((socket) => socket.close()));
  });

  it('[S3] two users may use the same client_id', async () => {
    const a = await TestSocket.connect(server.wsUrl);
    const b = await TestSocket.connect(server.wsUrl);
    const clientId = ulid();
    a.send({ type: 'messages', data: [{ client_id: clientId, content: 'a' }] });
    b.send({ type: 'messages', data: [{ client_id: clientId, content: 'b' }] });
    const [ackA, ackB] = await Promise.all([a.next<AckFrame>(isAck), b.next<AckFrame>(isAck)]);
    expect(ackA.message_ids[0]).not.toBe(ackB.message_ids[0]);
    expect(await countByClientId(clientId)).toBe(2);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('S2 sequence', () => {
  it('[S2] 50 concurrent senders produce a gap-free seq that every listener sees in order', async () => {
    const listener = await TestSocket.connect(server.wsUrl);
    const { rows: before } = await server.db.pool.query<{ last_seq: number }>("SELECT last_seq FROM rooms WHERE id = 'general'");
    const senders = await Promise.all(Array.from({ length: 50 }, () => TestSocket.connect(server.wsUrl)));
    const perSender = 4;
    for (let round = 0; round < perSender; round++) {
      for (const [i, sender] of senders.entries()) sender.send({ type: 'messages', data: [item(`s${i} r${round}`)] });
    }
    const acks = await Promise.all(
      senders.map(async (sender) => {
        const mine: AckFrame[] = [];
        for (let round = 0; round < perSender; round++) mine.push(await sender.next<AckFrame>(isAck));
        return mine;
      }),
    );
    const total = 50 * perSender;
    // S4: each sender's acks come back in the order it sent.
    for (const mine of acks) {
      const seqs = mine.flatMap((ack) => ack.seqs);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    }
    const start = before[0].last_seq;
    const { rows } = await server.db.pool.query<{ seq: number }>("SELECT seq FROM messages WHERE room_id = 'general' AND seq > $1 ORDER BY seq", [start]);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => start + i + 1));

    await waitFor(() => received(listener.frames).filter((m) => m.seq > start).length >= total, 10_000, 'all broadcasts');
    const seen = received(listener.frames).filter((m) => m.seq > start).map((m) => m.seq);
    expect(seen).toEqual(rows.map((r) => r.seq));
    await Promise.all([listener, ...senders].map((socket) => socket.close()));
  });

  it('[S2] seqs are per room', async () => {
    await server.db.pool.query("INSERT INTO rooms (id, name, everyone) VALUES ('seq-room', 'Seq room', true) ON CONFLICT DO NOTHING");
    const socket = await TestSocket.connect(server.wsUrl);
    socket.send({ type: 'messages', data: [item('one', { room_id: 'seq-room' }), item('two', { room_id: 'seq-room' })] });
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.seqs).toEqual([1, 2]);
    await socket.close();
  });
});

describe('S4 ordering and durability', () => {
  it('[S4] frames from one socket are handled in arrival order', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const frames = Array.from({ length: 30 }, (_, i) => [item(`frame ${i}`)]);
    for (const data of frames) socket.send({ type: 'messages', data });
    const acks: AckFrame[] = [];
    for (let i = 0; i < frames.length; i++) acks.push(await socket.next<AckFrame>(isAck));
    expect(acks.map((ack) => ack.client_ids[0])).toEqual(frames.map(([m]) => m.client_id));
    const seqs = acks.map((ack) => ack.seqs[0]);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await socket.close();
  });

  it('[S4] a frame for another room waits for the earlier frame (arrival order across rooms)', async () => {
    await server.db.pool.query("INSERT INTO rooms (id, name, everyone) VALUES ('other', 'Other', true) ON CONFLICT DO NOTHING");
    const socket = await TestSocket.connect(server.wsUrl);
    const lock = await server.db.pool.connect();
    const first = item('first, to general');
    const second = item('second, to other', { room_id: 'other' });
    try {
      await lock.query('BEGIN');
      await lock.query("SELECT 1 FROM rooms WHERE id = 'general' FOR UPDATE");
      socket.send({ type: 'messages', data: [first] });
      socket.send({ type: 'messages', data: [second] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(socket.all('message_ids')).toHaveLength(0);
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    const a = await socket.next<AckFrame>(isAck);
    const b = await socket.next<AckFrame>(isAck);
    expect([a.client_ids[0], b.client_ids[0]]).toEqual([first.client_id, second.client_id]);
    await socket.close();
  });

  it('[S4][P6] a sync sent right after a send sees that send', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const lock = await server.db.pool.connect();
    const message = item('then sync');
    try {
      await lock.query('BEGIN');
      await lock.query("SELECT 1 FROM rooms WHERE id = 'general' FOR UPDATE");
      socket.send({ type: 'messages', data: [message] });
      socket.send({ type: 'sync', room_id: 'general', after_seq: 0 });
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    const synced = await socket.next<SyncedFrame>((f) => f.type === 'synced');
    const [ack] = socket.all('message_ids');
    expect(ack).toBeDefined();
    expect(synced.seq).toBeGreaterThanOrEqual(ack.seqs[0]);
    expect(received(socket.frames).some((m) => m.client_id === message.client_id)).toBe(true);
    await socket.close();
  });

  it('[S4] no ack is sent for a batch whose COMMIT fails, and a later resend is stored once', async () => {
    // A deferred constraint trigger fails at COMMIT time, after the INSERT succeeded.
    await server.db.pool.query(`
      CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.content = 'doomed' THEN RAISE EXCEPTION 'commit refused'; END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON messages
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit();`);
    const socket = await TestSocket.connect(server.wsUrl);
    const listener = await TestSocket.connect(server.wsUrl);
    const doomed = item('doomed');
    try {
      socket.send({ type: 'messages', data: [doomed] });
      const error = await socket.next((f) => f.type === 'error');
      expect(error).toMatchObject({ type: 'error', code: 'unavailable' });
      expect(socket.all('message_ids')).toHaveLength(0);
      expect(await countByClientId(doomed.client_id)).toBe(0);
      expect(received(listener.frames).some((m) => m.client_id === doomed.client_id)).toBe(false);
      // The socket stays usable.
      socket.send({ type: 'ping' });
      await socket.next((f) => f.type === 'pong');
    } finally {
      await server.db.pool.query('DROP TRIGGER refuse_commit ON messages; DROP FUNCTION refuse_commit();');
    }
    socket.send({ type: 'messages', data: [doomed] });
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.client_ids).toEqual([doomed.client_id]);
    expect(await countByClientId(doomed.client_id)).toBe(1);
    await Promise.all([socket.close(), listener.close()]);
  });

  it('[S4] an acked message is in the database (read back on a separate connection)', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const message = item('durable');
    socket.send({ type: 'messages', data: [message] });
    const ack = await socket.next<AckFrame>(isAck);
    const { rows } = await server.db.pool.query<ChatMessage>('SELECT id, content FROM messages WHERE client_id = $1', [message.client_id]);
    expect(rows).toEqual([{ id: ack.message_ids[0], content: 'durable' }]);
    await socket.close();
  });
});
