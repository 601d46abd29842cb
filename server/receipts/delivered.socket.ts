import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { ErrorCode, MAX_DELIVERED_ROOMS } from '../protocol/index.js';
import { DeliveredFrameSchema } from '../protocol/schemas.js';
import type { FrameContext } from '../realtime/frame-registry.js';
import { readMarkers } from './read-markers-repository.js';
import type { ReceiptsRelay } from './receipts-relay.js';

const validate = Compile(DeliveredFrameSchema);

/**
 * L4: a `delivered` report: how far this device has stored each room's log.
 * Rooms the socket does not hear are left out (M3: no answer tells a room
 * not yours from one that does not exist), and so are public rooms (no
 * receipts there); the rest move the user's delivered markers in one
 * statement, and those that moved are announced. No answer: the client
 * sends the next report whenever its cursors move again.
 */
export function deliveredFrameHandler(app: FastifyInstance, relay: ReceiptsRelay) {
  return (frame: unknown, context: FrameContext) => {
    if (!validate.Check(frame)) {
      context.sendError(ErrorCode.InvalidFrame, `a delivered frame needs data: 1–${MAX_DELIVERED_ROOMS} of {room_id, seq}`);
      return;
    }
    const reports = frame.data.filter((report) => app.hub.hears(report.room_id, context.subscriber));
    if (reports.length === 0) return;
    context.enqueue(async () => {
      const moved = await readMarkers.advanceDelivered(app.db, context.userId, reports);
      if (moved.length > 0) relay.announce(moved);
    }, false);
  };
}
