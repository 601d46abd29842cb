import { createHash } from 'node:crypto';
import type { Agent } from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import webPush, { WebPushError } from 'web-push';
import { PushKind, RoomKind, type ChatMessage, type PushMessagePayload, type PushPayload } from '../protocol/index.js';
import type { PushRepository, PushTarget } from './push-repository.js';
import type { VapidKeys } from './vapid-keys.js';

/** Pushes in flight at once, per instance: a message to a large room must not open a socket per member at once. */
export const PUSH_CONCURRENCY = 8;
/** A chat notification older than this is noise: the push service may drop it rather than deliver it late. */
export const PUSH_TTL_SECONDS = 12 * 60 * 60;
/** How long one push request may wait for the push service's socket. */
export const PUSH_TIMEOUT_MS = 10_000;
/** How long shutdown waits for pushes in flight. */
export const PUSH_DRAIN_MS = 2_000;
/** N2: the most of a message's text a preview carries. */
export const PUSH_PREVIEW_LENGTH = 100;
/** What a notification says without a preview (N2). */
export const PUSH_NO_PREVIEW_BODY = 'New message';

/** Pushes waiting at most, per instance; past it new ones are dropped (a notification late by minutes is worth little). */
export const PUSH_MAX_QUEUED = 10_000;
/** Failures in a row (timeouts, 5xx, refused connections) after which a subscription is dropped, as if gone. */
export const PUSH_MAX_FAILURES = 5;

/** The push service's "this subscription is gone" (N3). */
const GONE = new Set([404, 410]);

/**
 * The push service's Topic: pushes of one room replace each other while
 * they wait for an offline device, so it wakes to one per room. At most 32
 * base64url characters (RFC 8030), whatever the room id.
 */
const topicOf = (roomId: string) => createHash('sha256').update(roomId).digest('base64url').slice(0, 32);

function bodyOf(message: ChatMessage, previews: boolean): string {
  if (!previews) return PUSH_NO_PREVIEW_BODY;
  const text = message.content.replace(/\s+/g, ' ').trim();
  if (text !== '') return text.length > PUSH_PREVIEW_LENGTH ? `${text.slice(0, PUSH_PREVIEW_LENGTH - 1)}…` : text;
  const kinds = new Set(message.attachments?.map((a) => a.kind));
  return kinds.has('audio') && !kinds.has('image') ? 'Voice note' : kinds.size > 0 ? 'Photo' : PUSH_NO_PREVIEW_BODY;
}

/**
 * N1–N3: sends the pushes of this instance's commits, after them and never
 * in their way: each commit's work is queued, at most PUSH_CONCURRENCY
 * requests run at once, and a failure is logged, except that a push
 * service answering 404/410 removes the subscription (N3).
 */
export class PushSender {
  private running = 0;
  private readonly queue: (() => Promise<void>)[] = [];
  private readonly idle = new Set<() => void>();
  /** Failures in a row per subscription id; forgotten on a success or a removal. */
  private readonly failures = new Map<string, number>();
  private stopped = false;
  private dropping = false;

  constructor(
    private readonly repository: PushRepository,
    private readonly vapid: VapidKeys,
    private readonly log: FastifyBaseLogger,
    /** An https.Agent for the push services (tests: one that trusts a local service's certificate). */
    private readonly agent?: Agent,
  ) {}

  /** New messages were committed (one writer batch): tells the members' devices. */
  messagesStored(messages: readonly ChatMessage[]): void {
    const byRoom = new Map<string, ChatMessage[]>();
    for (const message of messages) byRoom.set(message.room_id, [...(byRoom.get(message.room_id) ?? []), message]);
    for (const [roomId, stored] of byRoom) this.schedule(() => this.notifyRoom(roomId, stored));
  }

  /** The user's read marker moved: clears the room's notification on the devices that may show it. */
  readMoved(userId: string, roomId: string, seq: number): void {
    this.schedule(async () => {
      const targets = await this.repository.clearable(userId, roomId, seq);
      for (const target of targets) this.schedule(async () => void (await this.send(target, roomId, { t: PushKind.Read, r: roomId, s: seq, u: target.unread })));
    });
  }

  /** Resolves once nothing is queued or in flight (tests), or after PUSH_DRAIN_MS (shutdown). */
  settled(timeoutMs = PUSH_DRAIN_MS): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idle.add(done);
    });
  }

  private async notifyRoom(roomId: string, messages: ChatMessage[]): Promise<void> {
    const targets = await this.repository.targets(roomId);
    if (targets.length === 0) return;
    const { room, names } = await this.repository.titles(roomId, [...new Set(messages.map((m) => m.user_id))]);
    if (!room) return;
    for (const target of targets) {
      // One push per device per commit: the newest message someone else wrote.
      const message = messages.findLast((m) => m.user_id !== target.user_id);
      if (!message) continue;
      const sender = names.get(message.user_id) ?? 'Someone';
      const payload: PushMessagePayload = {
        t: PushKind.Message,
        r: roomId,
        s: message.seq,
        n: room.kind === RoomKind.Dm ? sender : `${sender} in ${room.name}`,
        b: bodyOf(message, target.previews),
        u: target.unread,
      };
      this.schedule(async () => {
        if (await this.send(target, roomId, payload)) await this.repository.notified(target.id, roomId, message.seq);
      });
    }
  }

  /** One push; true when the push service took it. */
  private async send(target: PushTarget, roomId: string, payload: PushPayload): Promise<boolean> {
    try {
      await webPush.sendNotification({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, JSON.stringify(payload), {
        vapidDetails: this.vapid,
        TTL: PUSH_TTL_SECONDS,
        urgency: payload.t === PushKind.Message ? 'high' : 'normal',
        topic: topicOf(roomId),
        timeout: PUSH_TIMEOUT_MS,
        ...(this.agent ? { agent: this.agent } : {}),
      });
      this.failures.delete(target.id);
      return true;
    } catch (error) {
      const failures = (this.failures.get(target.id) ?? 0) + 1;
      if ((error instanceof WebPushError && GONE.has(error.statusCode)) || failures >= PUSH_MAX_FAILURES) {
        this.failures.delete(target.id);
        await this.repository.remove(target.id);
        return false;
      }
      this.failures.set(target.id, failures);
      this.log.warn({ err: error, status: (error as Partial<WebPushError>).statusCode }, 'push not sent');
      return false;
    }
  }

  /** Shutdown: what is queued is dropped, nothing new starts (the pool is about to close). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private schedule(work: () => Promise<void>): void {
    if (this.stopped) return;
    if (this.queue.length >= PUSH_MAX_QUEUED) {
      if (!this.dropping) this.log.warn({ queued: this.queue.length }, 'push queue full: dropping new pushes until it drains');
      this.dropping = true;
      return;
    }
    this.dropping = false;
    this.queue.push(work);
    this.pump();
  }

  private pump(): void {
    while (this.running < PUSH_CONCURRENCY && this.queue.length > 0) {
      const work = this.queue.shift()!;
      this.running++;
      work()
        .catch((error: unknown) => this.log.warn({ err: error }, 'push work failed'))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const done of [...this.idle]) done();
        });
    }
  }
}
