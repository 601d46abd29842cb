import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromCallback, type Actor } from 'xstate';
import type { ServerFrame } from '@whisper/protocol';
import { WhisperDatabase } from '../db/whisper-db';
import { BACKOFF_MAX_MS, backoffDelay } from './backoff';
import { createChatStore } from './chat-store';
import { connectionMachine, type ConnectionEvent } from './connection.machine';
import type { SocketCommand, SocketEvent } from './socket.actor';

/**
 * "Retry now" (C3): while the machine waits on backoff after failed
 * connections with the browser online (the server cannot be reached), a
 * RETRY event connects at once instead of waiting the delay out.
 */

const ME = '11111111-1111-4111-8111-111111111111';
const ROOM = 'general';

interface FakeSocket {
  sent: SocketCommand[];
  stopped: boolean;
  emit(event: SocketEvent): void;
  serve(frame: ServerFrame): void;
}

interface Harness {
  actor: Actor<typeof connectionMachine>;
  sockets: FakeSocket[];
  db: WhisperDatabase;
  online: { value: boolean };
  latest: () => FakeSocket;
  /** The latest socket fails (refused, reset): the machine goes back to waiting. */
  fail(): Promise<void>;
}

let harnesses: Harness[] = [];

/** Lets Dexie (fake-indexeddb runs on the real setImmediate) and promise actors finish, without moving the faked clock. */
async function settle() {
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(0);
  }
}

async function createHarness(): Promise<Harness> {
  const db = new WhisperDatabase(`retry-test-${ulid()}`);
  const sockets: FakeSocket[] = [];
  const online = { value: true };
  const fakeSocket = fromCallback<SocketCommand, { url: string }, SocketEvent>(({ sendBack, receive }) => {
    const socket: FakeSocket = {
      sent: [],
      stopped: false,
      emit: (event) => sendBack(event),
      serve: (frame) => sendBack({ type: `SERVER.${frame.type}`, frame } as SocketEvent),
    };
    sockets.push(socket);
    receive((command) => socket.sent.push(command));
    return () => {
      socket.stopped = true;
    };
  });
  const fakeLock = fromCallback<{ type: 'noop' }, { name: string }, ConnectionEvent>(({ sendBack }) => {
    sendBack({ type: 'LOCK.ACQUIRED' });
  });
  const actor = createActor(connectionMachine.provide({ actors: { socket: fakeSocket, flushLock: fakeLock } }), {
    input: {
      roomId: ROOM,
      deps: {
        store: createChatStore(db),
        fetchLatest: async () => ({ data: [], has_more: false }),
        socketUrl: 'ws://whisper.test/v1/chat/ws',
        isOnline: () => online.value,
        now: () => Date.now(),
        // The top of the jitter range: every delay is its full base.
        random: () => 0.999999,
      },
    },
  });
  const harness: Harness = {
    actor,
    sockets,
    db,
    online,
    latest: () => sockets[sockets.length - 1],
    async fail() {
      harness.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
      await settle();
    },
  };
  harnesses.push(harness);
  actor.start();
  await settle();
  return harness;
}

const retryIn = (h: Harness) => (h.actor.getSnapshot().context.retryAt ?? NaN) - Date.now();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(async () => {
  for (const harness of harnesses) {
    harness.actor.stop();
    harness.db.close();
    await harness.db.delete();
  }
  harnesses = [];
  vi.useRealTimers();
});

describe('connection machine: Retry now', () => {
  it('[C3] waiting on backoff with the browser online is tagged unreachable (still offline); the browser being offline is not', async () => {
    const h = await createHarness();
    await h.fail();
    const waiting = h.actor.getSnapshot();
    expect(waiting.matches({ link: 'waiting' })).toBe(true);
    expect(waiting.hasTag('unreachable')).toBe(true);
    expect(waiting.hasTag('offline')).toBe(true);

    h.online.value = false;
    h.actor.send({ type: 'OFFLINE' });
    const offline = h.actor.getSnapshot();
    expect(offline.matches({ link: 'offline' })).toBe(true);
    expect(offline.hasTag('unreachable')).toBe(false);
    expect(offline.hasTag('offline')).toBe(true);
  });

  it('[C3] RETRY while waiting connects at once, long before the backoff is over, and reaching live resets the backoff', async () => {
    const h = await createHarness();
    // Several failed attempts: the next automatic one is many seconds away.
    for (let attempt = 0; attempt < 6; attempt++) {
      await h.fail();
      await vi.advanceTimersByTimeAsync(retryIn(h));
      await settle();
    }
    await h.fail();
    expect(retryIn(h)).toBe(backoffDelay(6, 0.999999));
    expect(retryIn(h)).toBeGreaterThanOrEqual(BACKOFF_MAX_MS / 2);
    const before = h.sockets.length;

    h.actor.send({ type: 'RETRY' });
    expect(h.sockets).toHaveLength(before + 1);
    const snapshot = h.actor.getSnapshot();
    expect(snapshot.hasTag('connecting')).toBe(true);
    expect(snapshot.context.retryAt).toBeNull();

    // The server is back: hello, catch-up, live.
    const socket = h.latest();
    socket.emit({ type: 'SOCKET.OPEN' });
    socket.serve({ type: 'hello', user_id: ME, token: 'token-1' });
    await settle();
    socket.serve({ type: 'synced', room_id: ROOM, seq: 0 });
    await settle();
    expect(h.actor.getSnapshot().hasTag('live')).toBe(true);
    // Not a single tick of the old backoff was waited.
    expect(h.sockets).toHaveLength(before + 1);
    await h.fail();
    expect(retryIn(h)).toBe(backoffDelay(0, 0.999999));
  });

  it('[C3] a RETRY that fails again waits longer, as any failed attempt does', async () => {
    const h = await createHarness();
    await h.fail();
    const first = retryIn(h);
    h.actor.send({ type: 'RETRY' });
    await h.fail();
    expect(retryIn(h)).toBe(backoffDelay(1, 0.999999));
    expect(retryIn(h)).toBeGreaterThan(first);
  });

  it('[C3] RETRY does nothing while the browser is offline or while connected', async () => {
    const h = await createHarness();
    h.online.value = false;
    h.actor.send({ type: 'OFFLINE' });
    const offlineSockets = h.sockets.length;
    h.actor.send({ type: 'RETRY' });
    expect(h.sockets).toHaveLength(offlineSockets);
    expect(h.actor.getSnapshot().matches({ link: 'offline' })).toBe(true);

    h.online.value = true;
    h.actor.send({ type: 'ONLINE' });
    const connecting = h.latest();
    h.actor.send({ type: 'RETRY' });
    expect(h.latest()).toBe(connecting);
    expect(connecting.stopped).toBe(false);
  });
});
