/**
 * L1's debounce on one instance, without a database: the tracker with fake
 * rows and fake timers (the real rows: presence.test.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PresenceEntry } from '../../server/protocol/index.js';
import { PresenceTracker, type PresenceTimings } from '../../server/live/presence.js';
import type { FrameContext } from '../../server/realtime/frame-registry.js';

const TIMINGS: PresenceTimings = { heartbeatMs: 200, instanceTtlMs: 1_000, offlineGraceMs: 1_000 };

describe('L1 debounce (the tracker alone)', () => {
  const log = { warn: () => undefined } as unknown as FastifyBaseLogger;
  const socketOf = (userId: string) => ({ userId }) as FrameContext;
  afterEach(() => {
    vi.useRealTimers();
  });

  function fakeRows() {
    const calls: string[] = [];
    return {
      calls,
      rows: {
        heartbeat: vi.fn(async () => false),
        arrive: vi.fn(async (userId: string) => {
          calls.push(`arrive ${userId}`);
          return true;
        }),
        depart: vi.fn(async (userId: string): Promise<PresenceEntry | null> => {
          calls.push(`depart ${userId}`);
          return null;
        }),
        leave: vi.fn(async (): Promise<PresenceEntry[]> => {
          calls.push('leave');
          return [];
        }),
        sweep: vi.fn(async (_ttlMs: number): Promise<PresenceEntry[]> => []),
        snapshot: vi.fn(async (_userId: string): Promise<PresenceEntry[]> => []),
      },
    };
  }

  it('[L1] one row per user whatever their sockets; the last close departs only after the grace; a return within it touches nothing', async () => {
    vi.useFakeTimers();
    const { rows, calls } = fakeRows();
    const tracker = new PresenceTracker(rows, log, TIMINGS);
    tracker.opened(socketOf('u'));
    tracker.opened(socketOf('u'));
    tracker.closed(socketOf('u'));
    await vi.advanceTimersByTimeAsync(TIMINGS.offlineGraceMs * 2);
    expect(calls).toEqual(['arrive u']);

    tracker.closed(socketOf('u'));
    await vi.advanceTimersByTimeAsync(TIMINGS.offlineGraceMs - 1);
    tracker.opened(socketOf('u'));
    await vi.advanceTimersByTimeAsync(TIMINGS.offlineGraceMs * 2);
    expect(calls).toEqual(['arrive u']);

    tracker.closed(socketOf('u'));
    await vi.advanceTimersByTimeAsync(TIMINGS.offlineGraceMs);
    expect(calls).toEqual(['arrive u', 'depart u']);
    // Back after the grace: a new arrival.
    tracker.opened(socketOf('u'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['arrive u', 'depart u', 'arrive u']);
  });

  it('[L1] a clean shutdown leaves at once: no grace, no departure of its own', async () => {
    vi.useFakeTimers();
    const { rows, calls } = fakeRows();
    const tracker = new PresenceTracker(rows, log, TIMINGS);
    await tracker.start();
    tracker.opened(socketOf('u'));
    tracker.opened(socketOf('v'));
    tracker.closed(socketOf('u'));
    await tracker.close();
    tracker.closed(socketOf('v'));
    await vi.advanceTimersByTimeAsync(TIMINGS.offlineGraceMs * 2);
    expect(calls).toEqual(['arrive u', 'arrive v', 'leave']);
  });

  it('[L1] a failed write is put right on the next heartbeat, and a heartbeat that finds its row gone arrives everyone again', async () => {
    vi.useFakeTimers();
    const { rows, calls } = fakeRows();
    rows.arrive.mockRejectedValueOnce(new Error('database away'));
    const tracker = new PresenceTracker(rows, log, TIMINGS);
    await tracker.start();
    tracker.opened(socketOf('u'));
    await vi.advanceTimersByTimeAsync(TIMINGS.heartbeatMs);
    expect(calls).toEqual(['arrive u']);
    expect(rows.arrive).toHaveBeenCalledTimes(2);
    rows.heartbeat.mockResolvedValueOnce(true);
    await vi.advanceTimersByTimeAsync(TIMINGS.heartbeatMs);
    expect(calls).toEqual(['arrive u', 'arrive u']);
    expect(rows.sweep).toHaveBeenCalledWith(TIMINGS.instanceTtlMs);
    await tracker.close();
  });

  it('[L1] refuses a TTL that a live instance could outlast between two heartbeats', () => {
    expect(() => new PresenceTracker(fakeRows().rows, log, { ...TIMINGS, instanceTtlMs: TIMINGS.heartbeatMs })).toThrow(/TTL/);
  });
});
