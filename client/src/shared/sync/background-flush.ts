import { ErrorCode, MESSAGES_PATH, type ClientFrame, type Op, type RejectedFrame, type RestSendResponse } from '@whisper/protocol';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import type { WhisperDatabase } from '../db/whisper-db';
import { opRequest } from './op-twins';
import { toFrames } from './outbox-frames';
import { createOutboxStore } from './outbox-store';

/**
 * W3: the outbox sent without a page, by the service worker's Background
 * Sync. The same plan (planFlush: enqueue order, a message with unfinished
 * uploads holding back everything after it, another identity's rows left
 * alone) and the same frames (toFrames) as a socket's flush, posted through
 * P10 (messages, as the P2 body) and the ops' REST twins (P12), with the
 * rows' own client_ids: whatever a page also sent is stored once (S3, E3).
 *
 * Acked messages are written as the page writes a socket's ack (applyAck),
 * so a later page shows them sent; rejections likewise (applyRejection).
 * An op a twin applied stays in the outbox: a twin's answer carries no log
 * seq to fold it with, so the next page's flush sends it again and the
 * server acks it with the original entry (E3), which the page folds as usual.
 */

/** The flush has to be tried again later (no network, the server busy, the token refused): nothing was lost, the rest waits. */
export class FlushLater extends Error {}

export interface BackgroundFlushResult {
  /** Messages the server acked. */
  acked: number;
  /** Ops a twin applied (or refused). */
  ops: number;
  /** An op with no REST form this side can build stopped the flush; it and everything after it wait for a page (S4: order). */
  stopped: boolean;
}

/** Op refusals a twin answers (op-twins on the server): the op is refused for good, as a P7 over the socket. */
const REFUSAL_STATUSES = new Set([400, 403, 404, 409]);

export interface BackgroundFlushOptions {
  /** The server's origin (the worker's own). */
  origin: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export async function flushInBackground(db: WhisperDatabase, { origin, fetch: send = fetch, now = Date.now }: BackgroundFlushOptions): Promise<BackgroundFlushResult> {
  const result: BackgroundFlushResult = { acked: 0, ops: 0, stopped: false };
  const identity = await metaTable.identity(db);
  // No identity yet: nothing can go out; the first page mints one and sends.
  if (!identity) return result;
  const me = identity.user_id;
  const store = createOutboxStore(db);
  // A socket id of its own: every row planned on an earlier socket counts as lost with it and is sent again.
  const flushId = `background-sync:${now()}`;
  const opsDone = new Set<string>();

  const call = async (method: string, path: string, body: unknown, idempotencyKey?: string): Promise<Response> => {
    const headers: Record<string, string> = { authorization: `Bearer ${identity.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return send(`${origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };

  async function sendMessages(frame: Extract<ClientFrame, { type: 'messages' }>): Promise<void> {
    const response = await call('POST', MESSAGES_PATH, frame);
    // 422: every item was rejected; the body says which and why, as on 200.
    if (response.status !== 200 && response.status !== 422) throw new FlushLater(`send: HTTP ${response.status}`);
    const { rejected, ...ack } = (await response.json()) as RestSendResponse;
    if (ack.client_ids.length > 0) await store.applyAck(ack);
    for (const frame of rejected) await store.applyRejection(frame);
    result.acked += ack.client_ids.length;
  }

  /** False when the op has no twin this side can build. */
  async function sendOp(op: Op): Promise<boolean> {
    let messageId = 'message_id' in op ? op.message_id : undefined;
    if (messageId === undefined && 'target_client_id' in op && op.target_client_id) {
      messageId = (await messagesTable.byClientId(db, me, op.target_client_id))?.id;
    }
    const twin = opRequest(op, messageId);
    if (!twin) return false;
    const response = await call(twin.method, twin.path, twin.body, op.client_id);
    if (REFUSAL_STATUSES.has(response.status)) {
      const error = (await response.json().catch(() => null)) as { code?: RejectedFrame['code']; message?: string } | null;
      await store.applyRejection({ type: 'rejected', client_ids: [op.client_id], code: error?.code ?? ErrorCode.InvalidOp, message: error?.message ?? '' });
    } else if (!response.ok) throw new FlushLater(`${op.op}: HTTP ${response.status}`);
    opsDone.add(op.client_id);
    result.ops++;
    return true;
  }

  for (;;) {
    // A fresh flush id makes nothing overdue on it: the ack timeout and attempt limit do not apply.
    const plan = await store.planFlush(flushId, me, now(), Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
    const items = plan.items.filter((item) => !opsDone.has(item.client_id));
    for (const frame of toFrames(items)) {
      if (frame.type === 'messages') await sendMessages(frame);
      else if (frame.type === 'ops') {
        for (const op of frame.data) {
          if (await sendOp(op)) continue;
          result.stopped = true;
          return result;
        }
      }
    }
    // More than one window's worth was due: the acked rows have left, plan the rest.
    if (!plan.more || items.length === 0) return result;
  }
}
