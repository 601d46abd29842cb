import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Compile } from 'typebox/compile';
import { ErrorCode } from '../protocol/index.js';
import { ViewingFrameSchema } from '../protocol/schemas.js';
import type { FrameContext, SocketListener } from '../realtime/frame-registry.js';
import type { Subscriber } from '../realtime/room-hub.js';
import type { PushRepository } from './push-repository.js';

const validate = Compile(ViewingFrameSchema);

interface Viewing {
  /** The socket's key in push_viewing. */
  socketId: string;
  /** Its writes, one after another: a `null` must not overtake the room it clears. */
  chain: Promise<void>;
  /** Whether a row may exist (so a close with nothing shown costs no query). */
  stored: boolean;
}

/**
 * N1: which room each socket shows on a visible page, kept in push_viewing
 * where every instance's push decision sees it. The `viewing` frame sets it
 * (best effort, no answer: it only ever spares the device's own
 * notifications, so a room that is not the user's needs no check and
 * learns them nothing), and the socket's closing clears it.
 */
export class ViewingTracker implements SocketListener {
  private readonly sockets = new WeakMap<Subscriber, Viewing>();

  constructor(
    private readonly repository: PushRepository,
    private readonly log: FastifyBaseLogger,
  ) {}

  readonly handle = (frame: unknown, context: FrameContext): void => {
    if (!validate.Check(frame)) {
      context.sendError(ErrorCode.InvalidFrame, 'a viewing frame needs room_id: a room id, or null');
      return;
    }
    this.set(context, frame.room_id);
  };

  opened(context: FrameContext): void {
    this.sockets.set(context.subscriber, { socketId: randomUUID(), chain: Promise.resolve(), stored: false });
  }

  closed(context: FrameContext): void {
    if (this.sockets.get(context.subscriber)?.stored) this.set(context, null);
  }

  private set(context: FrameContext, roomId: string | null): void {
    const viewing = this.sockets.get(context.subscriber);
    if (!viewing) return;
    viewing.stored = roomId !== null;
    viewing.chain = viewing.chain
      .then(() => this.repository.setViewing(viewing.socketId, context.sessionId, roomId))
      .catch((error: unknown) => this.log.debug({ err: error }, 'viewing not recorded'));
  }
}
