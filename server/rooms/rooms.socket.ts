import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { CLIENT_ID_PATTERN, ErrorCode, MAX_BATCH_SIZE, type AckFrame, type Op, type RejectedFrame } from '../protocol/index.js';
import { OpSchema, OpsEnvelopeSchema } from '../protocol/schemas.js';
import type { FrameContext } from '../realtime/frame-registry.js';

const validateEnvelope = Compile(OpsEnvelopeSchema);
const validateOp = Compile(OpSchema);
const clientIdPattern = new RegExp(CLIENT_ID_PATTERN);

function clientIdOf(item: unknown): string | null {
  const clientId = typeof item === 'object' && item !== null ? (item as { client_id?: unknown }).client_id : undefined;
  return typeof clientId === 'string' && clientIdPattern.test(clientId) ? clientId : null;
}

/**
 * P11: an `ops` frame. Ops are applied one after another, each committed
 * before the next begins, and the frame is a barrier: a message or op sent
 * after it finds its effects (S4: a message to a room created just before).
 * It also waits its turn behind the socket's earlier frames, so an op finds
 * the messages sent before it (an edit by target_client_id of one not acked
 * yet). Answers as a send does: one ack for the applied items in order, one
 * rejection frame per refusal.
 */
export function opsFrameHandler(app: FastifyInstance) {
  return (frame: unknown, context: FrameContext) => {
    if (!validateEnvelope.Check(frame)) {
      context.sendError(ErrorCode.InvalidFrame, 'an ops frame needs a non-empty data array');
      return;
    }
    if (frame.data.length > MAX_BATCH_SIZE) {
      context.sendError(ErrorCode.BatchTooLarge, `at most ${MAX_BATCH_SIZE} ops per frame`);
      return;
    }
    const items = frame.data;
    if (!context.spend(items.length)) return;
    context.enqueue(async () => {
      const ack: AckFrame = { type: 'message_ids', status: 'success', message_ids: [], client_ids: [], seqs: [] };
      const rejections: RejectedFrame[] = [];
      const reject = (clientId: string | null, code: ErrorCode, message: string) =>
        rejections.push({ type: 'rejected', client_ids: clientId === null ? [] : [clientId], code, message });
      for (const item of items) {
        if (!validateOp.Check(item)) {
          reject(clientIdOf(item), ErrorCode.InvalidOp, 'not an op this server knows, or a field is missing or mistyped');
          continue;
        }
        const outcome = await app.ops.apply(context.userId, item as Op);
        if (outcome.status === 'refused') {
          reject(item.client_id, outcome.code, outcome.message);
          continue;
        }
        ack.message_ids.push(outcome.entryId);
        ack.client_ids.push(item.client_id);
        ack.seqs.push(outcome.seq);
      }
      for (const rejection of rejections) context.send(rejection);
      if (ack.client_ids.length > 0) context.send(ack);
    });
  };
}
