import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { ErrorCode, TYPING_MIN_INTERVAL_MS } from '../protocol/index.js';
import { TypingSignalSchema } from '../protocol/schemas.js';
import type { FrameContext } from '../realtime/frame-registry.js';
import type { Subscriber } from '../realtime/room-hub.js';
import type { LiveSignals } from './live-signals.js';

const validate = Compile(TypingSignalSchema);

/** What a socket last relayed for one room. */
interface Relayed {
  /** When its last `typing: true` went out (performance.now()). */
  at: number;
  /** Whether that was a `true` not yet followed by a `false`. */
  typing: boolean;
}

/**
 * L2's server rate limit, per socket and room: a `true` at most once per
 * TYPING_MIN_INTERVAL_MS, a `false` only after a relayed `true`. Anything
 * else is dropped without an answer: a typing signal asks for none, and a
 * client that signals too often gains nothing by being told so (it already
 * holds to TYPING_SIGNAL_INTERVAL_MS; the frame flood limit, P8, still
 * closes a socket that floods).
 */
export class TypingLimiter {
  private readonly sockets = new WeakMap<Subscriber, Map<string, Relayed>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  allow(subscriber: Subscriber, roomId: string, typing: boolean): boolean {
    let rooms = this.sockets.get(subscriber);
    if (!rooms) {
      rooms = new Map();
      this.sockets.set(subscriber, rooms);
    }
    const last = rooms.get(roomId);
    const now = this.now();
    if (!typing) {
      if (!last?.typing) return false;
      last.typing = false;
      return true;
    }
    if (last && now - last.at < TYPING_MIN_INTERVAL_MS) return false;
    rooms.set(roomId, { at: now, typing: true });
    return true;
  }
}

/**
 * L2: a `typing` frame. Checked (room id, a boolean), then, behind the
 * socket's earlier frames but holding back none after it: only a member of
 * the room may signal (M3: a room that is not yours looks like one that does
 * not exist, `unknown_room`), as far as the rate limit lets it, and the
 * signal goes to every instance (L5). Nothing is stored.
 */
export function typingFrameHandler(app: FastifyInstance, signals: LiveSignals, limiter = new TypingLimiter()) {
  /**
   * Each socket's relays go out one after another: two NOTIFYs on two pool
   * connections may reach the listeners in either order, and a `false`
   * overtaking its `true` would leave "typing…" up until it expires.
   */
  const relays = new WeakMap<Subscriber, Promise<void>>();
  return (frame: unknown, context: FrameContext) => {
    if (!validate.Check(frame)) {
      context.sendError(ErrorCode.InvalidFrame, 'a typing frame needs a room_id and typing (true or false)');
      return;
    }
    const { room_id: roomId, typing } = frame;
    context.enqueue(async () => {
      // The hub's subscriptions follow membership (M4): the socket hears the room if and only if its user is in it.
      if (!app.hub.hears(roomId, context.subscriber)) {
        context.sendError(ErrorCode.UnknownRoom, 'no such room, or not yours');
        return;
      }
      if (!limiter.allow(context.subscriber, roomId, typing)) return;
      // Best effort: a signal the database could not pass on is not worth an error to the client.
      const relay = (relays.get(context.subscriber) ?? Promise.resolve())
        .then(() => signals.typing(roomId, context.userId, typing))
        .catch((error: unknown) => context.log.debug({ err: error }, 'typing signal not sent'));
      relays.set(context.subscriber, relay);
      await relay;
    }, false);
  };
}
