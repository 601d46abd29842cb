import { describe, expect, it, vi } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelay } from './backoff';
import { createHarness as createMachineHarness, settle, setUpHarnesses, type Harness as MachineHarness } from './connection.harness';

/**
 * "Retry now" (C3): while the machine waits on backoff after failed
 * connections with the browser online (the server cannot be reached), a
 * RETRY event connects at once instead of waiting the delay out.
 */

interface Harness extends MachineHarness {
  /** The latest socket fails (refused, reset): the machine goes back to waiting. */
  fail(): Promise<void>;
}

async function createHarness(): Promise<Harness> {
  // The top of the jitter range: every delay is its full base.
  const harness = await createMachineHarness({ random: 0.999999 });
  return {
    ...harness,
    async fail() {
      harness.latest().emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
      await settle(100);
    },
  };
}

const retryIn = (h: Harness) => (h.actor.getSnapshot().context.retryAt ?? NaN) - Date.now();

setUpHarnesses();

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
      await settle(100);
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
    await h.goLive();
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
