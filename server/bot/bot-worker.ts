import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { BOT_USER_ID, OpName, RoomKind, TYPING_SIGNAL_INTERVAL_MS, dmRoomId, type ChatMessage } from '../protocol/index.js';
import { OutsidersError, UnknownRoomError, type MessagesRepository } from '../messages/messages-repository.js';
import type { OpRunner } from '../rooms/op-runner.js';
import { botJobs, type BotJob, type ScheduledJob } from './bot-jobs-repository.js';
import { GREETING, botReply } from './bot-replies.js';

export interface BotOptions {
  /** Greet every new identity in a DM (BOT_GREETING). */
  greeting: boolean;
  /** The bot "thinks" a random time in [min, max] before it answers (BOT_DELAY_MS_MIN, BOT_DELAY_MS_MAX). */
  delayMinMs: number;
  delayMaxMs: number;
  /** In [0, 1), like Math.random: the delays and the replies' choice (tests pass their own). */
  random?: () => number;
}

/**
 * Greeting is off unless asked for: `npm start` asks (BOT_GREETING, on by
 * default there), while an app built by a test leaves the rooms and
 * messages of its identities as the test made them.
 */
export const DEFAULT_BOT_OPTIONS: BotOptions = { greeting: false, delayMinMs: 1_000, delayMaxMs: 4_000 };

/**
 * A worker looks for work this often even when nothing woke it: the safety
 * net for a notice lost while the listener reconnected, and for jobs another
 * instance scheduled and then died holding (its timer died with it).
 */
const BOT_SWEEP_MS = 5_000;
/** A timer for a job due at t fires this much after t, so the database's clock has passed t too. */
const DUE_SLACK_MS = 5;
/**
 * A job is due but another worker holds it (answering it this moment, or
 * stuck on a dying connection): look again after this, rather than spin.
 */
const HELD_RETRY_MS = 250;
/** Answering a job due within this much of a later one still counts as thinking about the later one. */
const THINKING_SLACK_MS = 250;

/** What the worker uses of the app. */
export interface BotWorkerDeps {
  pool: pg.Pool;
  messages: Pick<MessagesRepository, 'insertWithin'>;
  ops: Pick<OpRunner, 'apply'>;
  /** L2 across instances (live-signals.ts). */
  typing(roomId: string, userId: string, typing: boolean): Promise<void>;
  /** Hands the fan-out what was just committed, so it is published without a read. */
  committed(messages: ChatMessage[]): void;
  log: FastifyBaseLogger;
}

/** A job that can never be answered (its room is gone, say): dropped rather than retried for ever. */
class Unanswerable extends Error {}

/** The client_id of the bot's message for a job: the same on every retry, so a retry is stored once (S3). */
export const botClientId = (job: Pick<BotJob, 'kind' | 'subject'>) => `bot-${job.kind}-${job.subject}`;

/**
 * B1, B2: the bot's side of every instance. Woken by the commit of a
 * message that owes a reply (NOTIFY from migrations/012's trigger), by its
 * own timer for the next due job, and by a slow sweep, it
 *  1. gives each new job its random delay (the first worker to do so wins)
 *     and shows the bot typing in that DM until it is due;
 *  2. answers each due job in one transaction that takes the job
 *     (FOR UPDATE SKIP LOCKED: one worker per job), stores the bot's message
 *     through store_messages() (seq, fan-out, receipts as for anyone) with a
 *     client_id derived from the job, and deletes the job. A crash before
 *     COMMIT leaves the job for the next worker; after it, the job is gone:
 *     exactly once, across crashes and instances.
 */
export class BotWorker {
  private stopped = false;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  /** Rooms where this instance shows the bot typing, until when (Date.now()), refreshed so it does not expire on clients. */
  private readonly thinking = new Map<string, { until: number; refresh: NodeJS.Timeout }>();
  private readonly random: () => number;

  constructor(
    private readonly deps: BotWorkerDeps,
    private readonly options: BotOptions,
  ) {
    if (!(options.delayMinMs >= 0 && options.delayMaxMs >= options.delayMinMs)) {
      throw new Error(`the bot's delay needs 0 ≤ min ≤ max, got ${options.delayMinMs}–${options.delayMaxMs} ms`);
    }
    this.random = options.random ?? Math.random;
  }

  /** Looks for work now, or once the pass under way is over. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = null));
  }

  /** Shutdown: no new pass; the one under way finishes (a reply half written rolls back if the pool goes first). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { refresh } of this.thinking.values()) clearInterval(refresh);
    this.thinking.clear();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.deps.log.warn({ err: error }, 'bot: jobs not handled; retrying');
        this.arm(BOT_SWEEP_MS);
      }
    } while (this.again && !this.stopped);
  }

  private async pass(): Promise<void> {
    for (const job of await botJobs.unscheduled(this.deps.pool)) {
      if (this.stopped) return;
      const scheduled = await botJobs.schedule(this.deps.pool, job, this.delay());
      if (scheduled) await this.startThinking(scheduled);
    }
    while (!this.stopped && (await this.answerOne()));
    if (this.stopped) return;
    const next = await botJobs.nextDueInMs(this.deps.pool);
    this.arm(next === null ? BOT_SWEEP_MS : next <= 0 ? HELD_RETRY_MS : Math.min(BOT_SWEEP_MS, next + DUE_SLACK_MS));
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), ms);
    this.timer.unref();
  }

  private delay(): number {
    const { delayMinMs: min, delayMaxMs: max } = this.options;
    return min + Math.min(max - min, Math.floor(this.random() * (max - min + 1)));
  }

  /** The DM between the bot and `userId`, opened by the bot if it is not there yet (idempotent: M2, E3). */
  private async openDm(userId: string): Promise<string> {
    const roomId = dmRoomId(userId, BOT_USER_ID);
    const outcome = await this.deps.ops.apply(BOT_USER_ID, {
      client_id: `bot-dm-${userId}`,
      op: OpName.RoomCreate,
      room_id: roomId,
      name: '',
      kind: RoomKind.Dm,
      user_ids: [userId],
    });
    if (outcome.status === 'refused') throw new Unanswerable(`the DM with ${userId}: ${outcome.message}`);
    return roomId;
  }

  /**
   * B1: the bot has seen the message (it reads it: L3) and types while it
   * "thinks". Best effort: none of it is needed for the answer to come.
   */
  private async startThinking(job: ScheduledJob): Promise<void> {
    try {
      let roomId = job.room_id;
      if (job.kind === 'greet') roomId = await this.openDm(job.user_id);
      else {
        const message = await botJobs.answeredMessage(this.deps.pool, job.subject);
        if (roomId && message) await this.deps.ops.apply(BOT_USER_ID, { client_id: `bot-read-${job.subject}`, op: OpName.Read, room_id: roomId, seq: message.seq });
      }
      // Overdue (left by a crash): the answer comes at once, there is nothing to show.
      if (roomId && job.due_in_ms > 0) this.think(roomId, job.due_in_ms);
    } catch (error) {
      this.deps.log.debug({ err: error, job }, 'bot: not shown thinking');
    }
  }

  private think(roomId: string, dueInMs: number): void {
    // The pass under way at shutdown may still get here: no timer after stop().
    if (this.stopped) return;
    const until = Date.now() + dueInMs;
    const current = this.thinking.get(roomId);
    if (current && current.until >= until) return;
    if (current) clearInterval(current.refresh);
    this.signal(roomId, true);
    // TYPING_EXPIRY_MS would end the indicator on clients before a long delay is over.
    const refresh = setInterval(() => {
      if (Date.now() < until) this.signal(roomId, true);
      else {
        clearInterval(refresh);
        if (this.thinking.get(roomId)?.refresh === refresh) this.thinking.delete(roomId);
      }
    }, TYPING_SIGNAL_INTERVAL_MS);
    refresh.unref();
    this.thinking.set(roomId, { until, refresh });
  }

  /** The answer is out: stop typing, unless a later message in the room is still being thought about. */
  private doneThinking(roomId: string): void {
    const current = this.thinking.get(roomId);
    if (current && current.until > Date.now() + THINKING_SLACK_MS) return;
    if (current) clearInterval(current.refresh);
    this.thinking.delete(roomId);
    this.signal(roomId, false);
  }

  private signal(roomId: string, typing: boolean): void {
    this.deps.typing(roomId, BOT_USER_ID, typing).catch((error: unknown) => this.deps.log.debug({ err: error }, 'bot: typing signal not sent'));
  }

  /** What the bot posts for a job, and where; null when there is nothing left to answer (the message was deleted). */
  private async compose(client: pg.PoolClient, job: BotJob): Promise<{ roomId: string; content: string } | null> {
    if (job.kind === 'greet') return { roomId: await this.openDm(job.user_id), content: GREETING };
    const message = await botJobs.answeredMessage(client, job.subject);
    if (!message || message.deleted) return null;
    return { roomId: message.room_id, content: botReply({ content: message.content, hasAttachments: message.has_attachments }, this.random, new Date()) };
  }

  /** Answers the job due first, if any is (B2); false when none is. */
  private async answerOne(): Promise<boolean> {
    const client = await this.deps.pool.connect();
    let job: BotJob | null = null;
    let posted: { roomId: string; message: ChatMessage; created: boolean } | null = null;
    try {
      await client.query('BEGIN');
      job = await botJobs.claimDue(client);
      if (!job) {
        await client.query('COMMIT');
        return false;
      }
      const reply = await this.compose(client, job);
      if (reply) {
        const [stored] = await this.deps.messages.insertWithin(client, reply.roomId, [{ userId: BOT_USER_ID, clientId: botClientId(job), content: reply.content }]);
        posted = { roomId: reply.roomId, ...stored };
      }
      await botJobs.remove(client, job);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!job || !(error instanceof Unanswerable || error instanceof UnknownRoomError || error instanceof OutsidersError)) throw error;
      // Retrying would fail the same way for ever, and hold up every job due after it.
      this.deps.log.warn({ err: error, job }, 'bot: job dropped, it cannot be answered');
      await botJobs.remove(this.deps.pool, job);
      return true;
    } finally {
      client.release();
    }
    if (posted) {
      if (posted.created) this.deps.committed([posted.message]);
      this.doneThinking(posted.roomId);
    }
    return true;
  }
}
