import type { FastifyBaseLogger } from 'fastify';
import type { FrameContext, SocketListener } from '../realtime/frame-registry.js';
import type { PresenceRepository } from './presence-repository.js';

/** How often each instance refreshes its heartbeat row and looks for dead instances. */
export const PRESENCE_HEARTBEAT_MS = 5_000;
/**
 * An instance whose heartbeat is older than this is dead (SIGKILLed, or cut
 * off from the database). Three missed heartbeats, so a slow database or a
 * long pause is not taken for a death. A killed instance's users are
 * announced offline at most PRESENCE_INSTANCE_TTL_MS + PRESENCE_HEARTBEAT_MS
 * after its last heartbeat (the TTL runs out, then the next sweep of some
 * other instance finds it), so within 20 s of the kill with the defaults.
 */
export const PRESENCE_INSTANCE_TTL_MS = 15_000;
/**
 * After the last socket of a user on this instance closes, presence waits
 * this long before it counts them gone: a phone that reconnects meanwhile
 * (to this or any instance) makes no presence frame at all. Offline is
 * announced within the 10 s L1 allows (the grace plus a transaction).
 */
export const PRESENCE_OFFLINE_GRACE_MS = 5_000;

export interface PresenceTimings {
  heartbeatMs: number;
  instanceTtlMs: number;
  offlineGraceMs: number;
}

export const DEFAULT_PRESENCE_TIMINGS: PresenceTimings = {
  heartbeatMs: PRESENCE_HEARTBEAT_MS,
  instanceTtlMs: PRESENCE_INSTANCE_TTL_MS,
  offlineGraceMs: PRESENCE_OFFLINE_GRACE_MS,
};

type PresenceRows = Pick<PresenceRepository, 'heartbeat' | 'arrive' | 'depart' | 'leave' | 'sweep' | 'snapshot'>;

/**
 * L1 on one instance. Counts each user's sockets here; the database holds a
 * row per (instance, user) while that count is above zero (or within the
 * grace after it fell to zero), and decides, under a per-user lock, when a
 * user's first row anywhere appears (online) and their last one goes
 * (offline): presence-repository.ts. The database's changes for one user
 * are made one after another, in the order their sockets came and went.
 */
export class PresenceTracker implements SocketListener {
  private readonly sockets = new Map<string, number>();
  /** Users whose last socket here closed, waiting out the grace. */
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Per user: the database work queued for them, in order. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Users whose row may not match their sockets here (a write failed): put right on the next heartbeat. */
  private readonly unsure = new Set<string>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private closing = false;

  constructor(
    private readonly rows: PresenceRows,
    private readonly log: FastifyBaseLogger,
    private readonly timings: PresenceTimings = DEFAULT_PRESENCE_TIMINGS,
  ) {
    if (timings.instanceTtlMs <= timings.heartbeatMs) throw new Error('the presence TTL must be longer than the heartbeat interval');
  }

  /** The first heartbeat before any socket arrives (a row of an instance without a heartbeat would never be swept). */
  async start(): Promise<void> {
    await this.rows.heartbeat();
    this.heartbeatTimer = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = null;
      });
    }, this.timings.heartbeatMs);
    // The server's own sockets keep the process alive; a heartbeat alone must not.
    this.heartbeatTimer.unref();
  }

  opened({ userId }: FrameContext): void {
    if (this.closing) return;
    const count = (this.sockets.get(userId) ?? 0) + 1;
    this.sockets.set(userId, count);
    if (count > 1) return;
    const timer = this.graceTimers.get(userId);
    if (timer) {
      // Back within the grace: the row never went, and nobody hears of it.
      clearTimeout(timer);
      this.graceTimers.delete(userId);
      return;
    }
    this.run(userId, () => this.rows.arrive(userId));
  }

  closed({ userId }: FrameContext): void {
    const count = (this.sockets.get(userId) ?? 0) - 1;
    if (count > 0) {
      this.sockets.set(userId, count);
      return;
    }
    this.sockets.delete(userId);
    if (this.closing) return; // close() removes every row of this instance at once
    const timer = setTimeout(() => {
      this.graceTimers.delete(userId);
      this.run(userId, () => this.rows.depart(userId));
    }, this.timings.offlineGraceMs);
    this.graceTimers.set(userId, timer);
  }

  /** L1 snapshot: one `presence` frame for the socket; a failed read leaves it to the live frames. */
  async sendSnapshot(context: FrameContext): Promise<void> {
    try {
      context.send({ type: 'presence', data: await this.rows.snapshot(context.userId) });
    } catch (error) {
      context.log.warn({ err: error }, 'presence snapshot not sent');
    }
  }

  /**
   * A clean shutdown (after the sockets were closed): no grace, this
   * instance's rows go now and its users with no socket elsewhere are
   * announced offline by the same transaction.
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
    await this.beating;
    await Promise.all(this.chains.values());
    await this.rows.leave().catch((error: unknown) => this.log.warn({ err: error }, 'presence rows not removed; the other instances sweep them after the TTL'));
  }

  private run(userId: string, work: () => Promise<unknown>): void {
    const next = (this.chains.get(userId) ?? Promise.resolve())
      .then(work)
      .then(
        () => undefined,
        (error: unknown) => {
          this.log.warn({ err: error, userId }, 'presence not recorded; retried on the next heartbeat');
          this.unsure.add(userId);
        },
      );
    this.chains.set(userId, next);
    void next.then(() => {
      if (this.chains.get(userId) === next) this.chains.delete(userId);
    });
  }

  /** Keeps this instance alive in the table, puts right what failed, and sweeps dead instances. */
  private async beat(): Promise<void> {
    try {
      // A missing row: this instance was taken for dead (a long pause) and
      // its rows swept; its users here are announced online again.
      const recreated = await this.rows.heartbeat();
      const users = new Set(recreated ? [...this.sockets.keys(), ...this.unsure] : this.unsure);
      this.unsure.clear();
      for (const userId of users) {
        if (this.closing || this.graceTimers.has(userId)) continue; // the timer's departure settles it
        this.run(userId, () => (this.sockets.has(userId) ? this.rows.arrive(userId) : this.rows.depart(userId)));
      }
      await this.rows.sweep(this.timings.instanceTtlMs);
    } catch (error) {
      this.log.warn({ err: error }, 'presence heartbeat failed');
    }
  }
}
