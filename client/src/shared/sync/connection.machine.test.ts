import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import type { ChatMessage } from '@whisper/protocol';
import { BACKOFF_INITIAL_MS, BACKOFF_JITTER, BACKOFF_MAX_MS, backoffDelay } from './backoff';
import { FLUSH_WINDOW } from './chat-store';
import {
  GENERAL as ROOM,
  ME,
  message,
  OTHER,
  createHarness,
  elapse,
  messagesSent,
  room,
  roomSyncsSent,
  roundsSent,
  settle,
  settleUntil,
  untilRetry,
  setUpHarnesses,
} from './connection.harness';
import { pendingRows } from './outbox-rows.fixture';
import { ACK_CHECK_INTERVAL_MS, ACK_TIMEOUT_MS, HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS, MARK_SENDING_DELAY_MS, flushLockActor } from './connection.machine';

const outboxIdle = { link: { online: { connected: { phase: { live: 'idle' } } } } } as const;

setUpHarnesses();

describe('backoff', () => {
  it('[C3] grows exponentially from the initial delay and is capped', () => {
    const delays = Array.from({ length: 12 }, (_, attempt) => backoffDelay(attempt, 0.999999));
    expect(delays[0]).toBe(BACKOFF_INITIAL_MS);
    expect(delays[1]).toBe(BACKOFF_INITIAL_MS * 2);
    expect(delays[2]).toBe(BACKOFF_INITIAL_MS * 4);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
    expect(Math.max(...delays)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(1000, 0.999999)).toBe(BACKOFF_MAX_MS);
  });

  it('[C3] jitter keeps every delay within [base × (1 − jitter), base]', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const base = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** attempt);
      expect(backoffDelay(attempt, 0)).toBe(Math.round(base * (1 - BACKOFF_JITTER)));
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt);
        expect(delay).toBeGreaterThanOrEqual(Math.round(base * (1 - BACKOFF_JITTER)));
        expect(delay).toBeLessThanOrEqual(base);
      }
    }
    // Jitter actually spreads clients out.
    expect(new Set(Array.from({ length: 20 }, () => backoffDelay(5))).size).toBeGreaterThan(1);
  });
});

describe('connection machine', () => {
  it('[C3] connects, catches up and goes live; the token from hello is used for the next socket', async () => {
    const h = await createHarness();
    expect(h.sockets).toHaveLength(1);
    expect(h.latest().url).toBe('ws://whisper.test/v1/chat/ws');
    expect(h.latest().protocols).toEqual(['whisper']);
    await h.goLive();
    expect(h.actor.getSnapshot().hasTag('live')).toBe(true);
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await untilRetry(h);
    expect(h.sockets).toHaveLength(2);
    // P1: the token rides in the subprotocol list, never in the URL.
    expect(h.latest().url).toBe('ws://whisper.test/v1/chat/ws');
    expect(h.latest().protocols).toEqual(['whisper', 'whisper.token.token-1']);
    expect(await h.store.getIdentity()).toEqual({ user_id: ME, token: 'token-1' });
  });

  it('[C3] failed attempts wait with growing backoff, and reaching live resets it', async () => {
    const h = await createHarness({ random: 0.999999 });
    const waits: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
      await settle();
      const { retryAt } = h.actor.getSnapshot().context;
      waits.push(retryAt! - Date.now());
      const before = h.sockets.length;
      await vi.advanceTimersByTimeAsync(retryAt! - Date.now() - 1);
      expect(h.sockets).toHaveLength(before); // not yet
      await vi.advanceTimersByTimeAsync(1);
      expect(h.sockets).toHaveLength(before + 1);
    }
    expect(waits).toEqual([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, 0.999999)));
    await h.goLive();
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await settle();
    expect(h.actor.getSnapshot().context.retryAt! - Date.now()).toBe(backoffDelay(0, 0.999999));
  });

  it('[C3][P9] silence on a live socket sends a ping, and more silence counts as a close', async () => {
    const h = await createHarness();
    await h.goLive();
    const socket = h.latest();
    socket.silent = true;
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS - 1);
    expect(socket.sent.filter((f) => f.type === 'ping')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sent.filter((f) => f.type === 'ping')).toHaveLength(1);
    // A pong (any frame) proves it alive: the cycle starts again.
    socket.serve({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_TIMEOUT_MS + 1);
    expect(socket.stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS);
    expect(socket.stopped).toBe(true);
    expect(socket.sent.filter((f) => f.type === 'ping')).toHaveLength(2);
    expect(h.sockets.length).toBeGreaterThan(1); // and it reconnected
  });

  it('[C3] the browser going offline closes the socket; coming online reconnects at once', async () => {
    const h = await createHarness();
    await h.goLive();
    h.online.value = false;
    h.actor.send({ type: 'OFFLINE' });
    expect(h.latest().stopped).toBe(true);
    expect(h.actor.getSnapshot().matches({ link: 'offline' })).toBe(true);
    await vi.advanceTimersByTimeAsync(5 * BACKOFF_MAX_MS);
    expect(h.sockets).toHaveLength(1); // no attempts while offline
    h.online.value = true;
    h.actor.send({ type: 'ONLINE' });
    expect(h.sockets).toHaveLength(2);
  });

  it('[C3] while waiting on backoff, the online event and the page becoming visible retry at once', async () => {
    const h = await createHarness({ random: 0.999999 });
    for (let i = 0; i < 6; i++) {
      h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
      await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    }
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    const count = h.sockets.length;
    h.actor.send({ type: 'VISIBLE' });
    expect(h.sockets).toHaveLength(count + 1);
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    h.actor.send({ type: 'ONLINE' });
    expect(h.sockets).toHaveLength(count + 2);
  });

  it('[P1] a rejected token is forgotten and the machine reconnects at once for a new identity', async () => {
    const h = await createHarness();
    await h.goLive();
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await untilRetry(h);
    expect(h.latest().protocols).toContain('whisper.token.token-1');
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 4401, reason: 'invalid token' });
    await settle();
    expect(h.latest().protocols).toEqual(['whisper']);
    expect(await h.store.getIdentity()).toBeUndefined();
  });

  it('[P1][C4] after a rejected token, the old identity\'s unsent work is never sent under the new identity', async () => {
    const h = await createHarness();
    await h.goLive();
    const lostAck = await h.store.enqueue(ROOM, 'sent, ack lost');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    expect(messagesSent(h.latest()).map((m) => m.client_id)).toEqual([lostAck.client_id]);
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await untilRetry(h);
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 4401, reason: 'invalid token' });
    await settle();
    const fresh = h.latest();
    await h.goLive({ userId: OTHER }, fresh);
    const next = await h.store.enqueue(ROOM, 'written as the new identity');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    expect(messagesSent(fresh).map((m) => m.client_id)).toEqual([next.client_id]);
    expect(await h.db.outbox.get(lostAck.client_id)).toMatchObject({ status: 'failed', error_code: 'signed_out', user_id: ME });
  });

  it('[C4] on entry to live it catches up first, then flushes the outbox in enqueue order, batched', async () => {
    const h = await createHarness();
    const queued = [];
    for (let i = 0; i < 150; i++) queued.push(await h.store.enqueue(ROOM, `offline ${i}`));
    const socket = h.latest();
    socket.emit({ type: 'SOCKET.OPEN' });
    socket.serve({ type: 'hello', user_id: ME, token: 't' });
    await settle();
    expect(socket.sent.map((f) => f.type)).toEqual(['sync']);
    socket.serve({ type: 'rooms', data: [room(ROOM)], users: [] });
    await settle();
    expect(socket.sent.map((f) => f.type)).toEqual(['sync']);
    socket.serve({ type: 'synced', room_id: ROOM, seq: 0 });
    await settle();
    expect(socket.sent.map((f) => f.type)).toEqual(['sync', 'messages', 'messages']);
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual(queued.map((q) => q.client_id));
    expect(socket.sent.filter((f) => f.type === 'messages').map((f) => (f.type === 'messages' ? f.data.length : 0))).toEqual([100, 50]);
  });

  it('[C4] the frames go out at once; rows unanswered after MARK_SENDING_DELAY_MS are marked `sending`; nothing is planned twice meanwhile', async () => {
    const h = await createHarness();
    const queued = [await h.store.enqueue(ROOM, 'one'), await h.store.enqueue(ROOM, 'two')];
    await h.goLive();
    const socket = h.latest();
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual(queued.map((q) => q.client_id));
    expect((await h.db.outbox.toArray()).map((row) => row.status)).toEqual(['pending', 'pending']);
    // Typed before the first two are answered or marked: it waits for the marks.
    const third = await h.store.enqueue(ROOM, 'three');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    expect(messagesSent(socket)).toHaveLength(2);
    await elapse(MARK_SENDING_DELAY_MS, 50);
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual([...queued, third].map((q) => q.client_id));
    expect((await h.db.outbox.toArray()).map((row) => [row.content, row.status, row.sent_on])).toEqual([
      ['one', 'sending', h.actor.getSnapshot().context.socketId],
      ['two', 'sending', h.actor.getSnapshot().context.socketId],
      ['three', 'pending', null],
    ]);
  });

  it('[C4] sends answered promptly are never marked, and what was typed meanwhile goes out with the answers', async () => {
    const h = await createHarness();
    const queued = [await h.store.enqueue(ROOM, 'one'), await h.store.enqueue(ROOM, 'too long')];
    const markSending = vi.spyOn(h.store, 'markSending');
    await h.goLive();
    const socket = h.latest();
    const third = await h.store.enqueue(ROOM, 'three');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    expect(messagesSent(socket)).toHaveLength(2);
    socket.serve({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [queued[0].client_id], seqs: [1] });
    socket.serve({ type: 'rejected', client_ids: [queued[1].client_id], code: 'invalid_content', message: 'too long' });
    await settle();
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual([...queued, third].map((q) => q.client_id));
    socket.serve({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [third.client_id], seqs: [2] });
    await elapse(4 * MARK_SENDING_DELAY_MS, 50);
    expect(markSending).not.toHaveBeenCalled();
    expect((await h.db.outbox.toArray()).map((row) => [row.content, row.status])).toEqual([['too long', 'failed']]);
  });

  it('[C4] a queue longer than the window goes out as acks free room; acks without a backlog plan nothing', async () => {
    const h = await createHarness();
    const queued = pendingRows(FLUSH_WINDOW + 50, ROOM);
    await h.db.outbox.bulkAdd(queued);
    const planFlush = vi.spyOn(h.store, 'planFlush');
    await h.goLive();
    const socket = h.latest();
    const ids = (from: number, to: number) => queued.slice(from, to).map((q) => q.client_id);
    const ack = (clientIds: string[], firstSeq: number) =>
      socket.serve({ type: 'message_ids', status: 'success', message_ids: clientIds.map(() => ulid()), client_ids: clientIds, seqs: clientIds.map((_, i) => firstSeq + i) });
    await settleUntil(() => messagesSent(socket).length > 0, 'the first frames');
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual(ids(0, FLUSH_WINDOW));
    ack(ids(0, 100), 1);
    // The room freed is used once the rest of the window is marked `sending`.
    await elapse(MARK_SENDING_DELAY_MS, 50);
    await settleUntil(() => messagesSent(socket).length > FLUSH_WINDOW, 'the rest of the queue');
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual(ids(0, FLUSH_WINDOW + 50));
    // Those 50 go unanswered too: marked, the flusher is idle with no backlog.
    await elapse(MARK_SENDING_DELAY_MS, 50);
    await settleUntil(() => h.actor.getSnapshot().matches(outboxIdle), 'idle');
    const plans = planFlush.mock.calls.length;
    ack(ids(100, 200), 101);
    ack(ids(200, 300), 201);
    for (let i = 0; i < 10; i++) await settle();
    expect(planFlush.mock.calls.length).toBe(plans);
    expect(messagesSent(socket)).toHaveLength(FLUSH_WINDOW + 50);
  });

  it('[C4][P7] a rejection frees window room too: the backlog goes out', async () => {
    const h = await createHarness();
    const queued = pendingRows(FLUSH_WINDOW + 50, ROOM);
    await h.db.outbox.bulkAdd(queued);
    await h.goLive();
    const socket = h.latest();
    await settleUntil(() => messagesSent(socket).length > 0, 'the first frames');
    socket.serve({ type: 'rejected', client_ids: queued.slice(0, 100).map((q) => q.client_id), code: 'invalid_content', message: 'no' });
    await elapse(MARK_SENDING_DELAY_MS, 50);
    await settleUntil(() => messagesSent(socket).length > FLUSH_WINDOW, 'the rest of the queue');
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual(queued.map((q) => q.client_id));
  });

  it('[C4] a message enqueued while live is sent right away; an unacked one is resent after the ack timeout', async () => {
    const h = await createHarness();
    await h.goLive();
    const socket = h.latest();
    const item = await h.store.enqueue(ROOM, 'live one');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual([item.client_id]);
    await elapse(ACK_TIMEOUT_MS + ACK_CHECK_INTERVAL_MS);
    expect(messagesSent(socket).map((m) => m.client_id)).toEqual([item.client_id, item.client_id]);
    socket.serve({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [item.client_id], seqs: [1] });
    await settle();
    expect(await h.db.outbox.count()).toBe(0);
    await elapse(3 * ACK_TIMEOUT_MS);
    expect(messagesSent(socket)).toHaveLength(2);
  });

  it('[C4] a reconnect resends exactly the unacked messages', async () => {
    const h = await createHarness();
    await h.goLive();
    const [a, b, c] = [await h.store.enqueue(ROOM, 'a'), await h.store.enqueue(ROOM, 'b'), await h.store.enqueue(ROOM, 'c')];
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settle();
    h.latest().serve({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [a.client_id], seqs: [1] });
    await settle();
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await untilRetry(h);
    await h.goLive();
    expect(messagesSent(h.latest()).map((m) => m.client_id)).toEqual([b.client_id, c.client_id]);
  });

  it('[C4][P6] live broadcasts advance the cursor; a gap triggers a new catch-up from the last contiguous seq', async () => {
    const h = await createHarness();
    await h.goLive();
    const message = (seq: number): ChatMessage => ({ id: ulid(), seq, room_id: ROOM, user_id: 'x', client_id: null, content: `#${seq}`, created_at: new Date().toISOString() });
    h.latest().serve({ type: 'messages', data: [message(1), message(2)] });
    await settle();
    expect(await h.store.syncedSeq(ROOM)).toBe(2);
    h.latest().serve({ type: 'messages', data: [message(5)] });
    await settle();
    expect(roomSyncsSent(h.latest())).toEqual([{ room_id: ROOM, after_seq: 2 }]);
    expect(await h.store.syncedSeq(ROOM)).toBe(2);
  });

  it('[C8][M5] a room never synced on this device comes as its newest page, and is followed from there', async () => {
    const latest: ChatMessage[] = [40, 41, 42].map((seq) => ({ id: ulid(), seq, room_id: ROOM, user_id: OTHER, client_id: null, content: `#${seq}`, created_at: new Date().toISOString() }));
    const h = await createHarness();
    const socket = h.latest();
    socket.emit({ type: 'SOCKET.OPEN' });
    socket.serve({ type: 'hello', user_id: ME, token: 't' });
    await settle();
    expect(socket.sent).toEqual([{ type: 'sync', rooms: [] }]);
    socket.serve({ type: 'rooms', data: [room(ROOM, { last_seq: 42 })], users: [] });
    socket.serve({ type: 'messages', data: latest });
    socket.serve({ type: 'synced', room_id: ROOM, seq: 42, has_older: true });
    await settle();
    expect(await h.db.messages.count()).toBe(3);
    expect(await h.store.syncedSeq(ROOM)).toBe(42);
    expect(await h.store.hasOlder(ROOM)).toBe(true);
    h.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    await untilRetry(h);
    await h.goLive({ rooms: [room(ROOM, { last_seq: 42 })] });
    expect(roundsSent(h.latest())).toEqual([[{ room_id: ROOM, after_seq: 42 }]]);
  });

  it('[C7] a tab without the outbox lock never sends; it still shows what arrives', async () => {
    const h = await createHarness({ leader: false });
    await h.store.enqueue(ROOM, 'queued in a follower tab');
    await h.goLive();
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await elapse(3 * ACK_TIMEOUT_MS);
    expect(h.sockets).toHaveLength(1);
    expect(messagesSent(h.latest())).toHaveLength(0);
    expect(h.actor.getSnapshot().hasTag('live')).toBe(true);
  });
});

describe('outbox lock', () => {
  it('[C7] a lock granted after its tab\'s engine stopped is handed straight back', async () => {
    let held: Promise<unknown> | null = null;
    const locks = {
      request: (_name: string, _options: unknown, callback: () => Promise<unknown>) =>
        new Promise((resolve) => {
          // Granted asynchronously, after the actor below has been stopped.
          setImmediate(() => {
            held = callback();
            void held.then(resolve);
          });
        }),
    };
    vi.stubGlobal('navigator', { ...navigator, locks });
    try {
      const actor = createActor(flushLockActor, { input: { name: 'whisper-outbox' } });
      actor.start();
      actor.stop();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(held).not.toBeNull();
      const released = await Promise.race([held!.then(() => 'released'), new Promise((resolve) => setImmediate(() => resolve('still held')))]);
      expect(released).toBe('released');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('typing through the machine (L2)', () => {
  it('[L2] a typing signal goes on the socket only while live, never queued; typing heard and the end of it (their message) go to the page', async () => {
    const heard = vi.fn();
    const h = await createHarness({ onTyping: heard });
    const typingSent = () => h.latest().sent.filter((frame) => frame.type === 'typing');
    h.actor.send({ type: 'TYPING.SEND', roomId: ROOM, typing: true });
    await h.goLive();
    expect(typingSent()).toEqual([]);
    h.actor.send({ type: 'TYPING.SEND', roomId: ROOM, typing: true });
    expect(typingSent()).toEqual([{ type: 'typing', room_id: ROOM, typing: true }]);

    h.latest().serve({ type: 'typing', room_id: ROOM, user_id: OTHER, typing: true });
    expect(heard).toHaveBeenLastCalledWith({ type: 'typing', room_id: ROOM, user_id: OTHER, typing: true });
    h.latest().serve({ type: 'messages', data: [message(ROOM, 1, OTHER), message(ROOM, 2, OTHER), message(ROOM, 3, ME)] });
    expect(heard).toHaveBeenCalledTimes(2);
    expect(heard).toHaveBeenLastCalledWith({ type: 'typing', room_id: ROOM, user_id: OTHER, typing: false });

    h.online.value = false;
    h.actor.send({ type: 'OFFLINE' });
    await settle();
    h.actor.send({ type: 'TYPING.SEND', roomId: ROOM, typing: false });
    h.online.value = true;
    h.actor.send({ type: 'ONLINE' });
    await h.goLive();
    expect(typingSent()).toEqual([]);
  });
});

describe('presence through the machine (L1)', () => {
  it('[L1] presence frames (the snapshot, then changes) go to the page as they are', async () => {
    const heard = vi.fn();
    const h = await createHarness({ onPresence: heard });
    await h.goLive();
    const frame = { type: 'presence' as const, data: [{ user_id: OTHER, status: 'online' as const, last_seen: null }] };
    h.latest().serve(frame);
    expect(heard).toHaveBeenCalledWith(frame);
  });
});
