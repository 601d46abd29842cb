import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { DEFAULT_ROOM_ID, ErrorCode, MAX_BATCH_SIZE } from '../protocol/index.js';
import { SendEnvelopeSchema } from '../protocol/schemas.js';
import type { FrameContext } from '../realtime/frame-registry.js';
import { sendMessages, type SendOutcome } from './messages-service.js';

const validateSend = Compile(SendEnvelopeSchema);

/** How many rooms a send's items name (an item without room_id is in the default room, as validation sees it). */
function roomCount(items: unknown[]): number {
  const rooms = new Set<unknown>();
  for (const item of items) {
    rooms.add(typeof item === 'object' && item !== null ? ((item as { room_id?: unknown }).room_id ?? DEFAULT_ROOM_ID) : DEFAULT_ROOM_ID);
  }
  return rooms.size;
}

function hasAttachments(items: unknown[]): boolean {
  return items.some((item) => typeof item === 'object' && item !== null && (item as { attachments?: unknown }).attachments != null);
}

/** P2 → P3/P7: a `messages` frame from a client. */
export function messagesFrameHandler(app: FastifyInstance) {
  return (frame: unknown, context: FrameContext) => {
    if (!validateSend.Check(frame)) {
      context.sendError(ErrorCode.InvalidFrame, 'a messages frame needs a non-empty data array');
      return;
    }
    if (frame.data.length > MAX_BATCH_SIZE) {
      context.sendError(ErrorCode.BatchTooLarge, `at most ${MAX_BATCH_SIZE} messages per frame`);
      return;
    }
    const items = frame.data;
    if (!context.spend(items.length)) return;
    const answer = ({ ack, rejected, unavailable }: SendOutcome) => {
      for (const rejection of rejected) context.send(rejection);
      if (ack) context.send(ack);
      if (unavailable) context.sendError(ErrorCode.Unavailable, 'some messages could not be stored right now; resend them');
    };
    // F3: a send with attachments awaits their lookup before the writer, so
    // it takes its turn in the socket's queue like a multi-room send.
    if (context.unblocked && roomCount(items) === 1 && !hasAttachments(items)) {
      // Pipelined: a one-room send reaches the writer's queue at once
      // (sendMessages calls writer.write synchronously for one room), so
      // frames that follow each other from one socket share a transaction
      // instead of waiting a commit each. Writes still enter the room's
      // queue in arrival order, and only the answers take their turn in the
      // socket's queue, so acks keep arrival order too (S4).
      const outcome = sendMessages(app.writer, context.userId, items);
      outcome.catch(() => undefined); // reported when its turn comes
      context.enqueue(async () => answer(await outcome), false);
    } else {
      context.enqueue(async () => answer(await sendMessages(app.writer, context.userId, items)));
    }
  };
}
