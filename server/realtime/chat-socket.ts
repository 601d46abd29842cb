import type { Writable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode, ErrorCode, PROTOCOL_VERSION, type ServerFrame } from '../protocol/index.js';
import type { FrameContext } from './frame-registry.js';
import type { Subscriber } from './room-hub.js';
import type { IssuedIdentity } from '../identity/auth.plugin.js';
import { TokenBucket } from './token-bucket.js';

/** How often the server pings each socket at the WebSocket level; a peer that has not answered the previous ping by then is dead. */
export const SERVER_PING_INTERVAL_MS = 30_000;
/**
 * Flood control (P8): a token bucket per socket. A reconnecting client sends
 * its whole outbox in batches of up to MAX_BATCH_SIZE, a handful of frames;
 * a burst of hundreds of frames is not a chat client.
 */
export const FLOOD_BURST_FRAMES = 200;
export const FLOOD_REFILL_FRAMES_PER_SECOND = 50;
/**
 * Items (messages and ops) per socket: room for a full offline outbox to
 * flush at once (the client plans at most 1,000 per flush), not for a spam
 * cannon.
 */
export const MESSAGE_BURST = 2_000;
export const MESSAGE_REFILL_PER_SECOND = 100;

/** Per-socket rate limits; the defaults above, or what the operator configured. */
export interface SocketRates {
  frameBurst: number;
  framesPerSecond: number;
  messageBurst: number;
  messagesPerSecond: number;
}
export const DEFAULT_SOCKET_RATES: SocketRates = {
  frameBurst: FLOOD_BURST_FRAMES,
  framesPerSecond: FLOOD_REFILL_FRAMES_PER_SECOND,
  messageBurst: MESSAGE_BURST,
  messagesPerSecond: MESSAGE_REFILL_PER_SECOND,
};
/**
 * A socket with this much output it has not read is not keeping up (a
 * client that stopped reading); it is cut off before it grows the server's
 * memory, and catches up (P6) when it reconnects.
 */
export const SLOW_CONSUMER_BYTES = 16 * 1024 * 1024;
/** Catch-up sends its next page only once the socket has drained below this. */
const SYNC_LOW_WATER_BYTES = 1024 * 1024;
/** A catch-up that cannot drain for this long is a slow consumer. */
const SYNC_DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 20;

/** Resolves true once the socket's unsent output is below the low-water mark. */
async function drained(socket: WebSocket): Promise<boolean> {
  const deadline = Date.now() + SYNC_DRAIN_TIMEOUT_MS;
  while (socket.readyState === socket.OPEN && socket.bufferedAmount > SYNC_LOW_WATER_BYTES) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
  return socket.readyState === socket.OPEN;
}

/** Per socket: resolves once every frame received so far has been answered. */
const settlers = new WeakMap<WebSocket, () => Promise<void>>();

/**
 * Waits until the socket's queued frames are handled and their acks written,
 * so a graceful shutdown never closes a socket between a commit and its ack.
 */
export function settleChatSocket(socket: WebSocket): Promise<void> {
  return settlers.get(socket)?.() ?? Promise.resolve();
}

function typeOf(frame: unknown): unknown {
  return typeof frame === 'object' && frame !== null && !Array.isArray(frame) ? (frame as { type?: unknown }).type : undefined;
}

/**
 * Returns a function that holds the stream's writes until the end of the
 * current tick, however often it is called in that tick. The acks of a
 * pipelined run of sends resolve together, and a write (a writev system
 * call) per frame cost more than everything else the server does for a
 * message; corked, they leave as one write.
 */
function corkForThisTick(stream: Writable): () => void {
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    stream.cork();
    process.nextTick(uncork);
  };
}

export interface ChatConnection {
  /** P1, A4: who the socket is (resolved before the upgrade), or null when its token was refused. */
  identity: IssuedIdentity | null;
  ip: string;
  /** The connection under the WebSocket, whose writes are batched per tick. */
  stream: Writable;
  log: FastifyBaseLogger;
}

/**
 * One connected socket: identity (P1), subscriptions to the user's rooms
 * (M5), flood control and ordering (P8, S4), heartbeat (P9). What each frame
 * means is up to the handler its domain registered (app.frames).
 */
export function handleChatSocket(app: FastifyInstance, socket: WebSocket, { identity, ip, stream, log }: ChatConnection): void {
  const cork = corkForThisTick(stream);
  const send = (frame: ServerFrame) => {
    if (socket.readyState !== socket.OPEN) return;
    cork();
    socket.send(JSON.stringify(frame));
  };
  const sendError = (code: ErrorCode, message: string) => send({ type: 'error', code, message });

  if (!identity) {
    sendError(ErrorCode.InvalidToken, 'token not recognised or logged out; create a new session');
    socket.close(CloseCode.InvalidToken, 'invalid token');
    return;
  }
  const { userId, token: freshToken } = identity;
  app.sessionSockets.add(identity.sessionId, socket);

  // P1: hello is the first frame. A membership entry published between
  // registering with the hub and hello (someone adds this user to a room
  // just then) waits here and follows the hello.
  let early: string[] | null = [];
  const subscriber: Subscriber = {
    userId,
    send: (json) => {
      if (early) {
        early.push(json);
        return;
      }
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > SLOW_CONSUMER_BYTES) {
        log.warn({ userId, buffered: socket.bufferedAmount }, 'slow consumer cut off');
        socket.terminate();
        return;
      }
      cork();
      socket.send(json);
    },
  };
  for (const old of app.connectionLimits.register(ip, userId, socket)) {
    old.close(CloseCode.PolicyViolation, 'too many connections for this user');
  }
  app.hub.connect(subscriber);

  // S4: frames from one socket are handled strictly in arrival order.
  let queue: Promise<void> = Promise.resolve();
  /** Queued work that nothing after it may overtake. */
  let barriers = 0;
  const enqueue = (work: () => Promise<void>, barrier = true) => {
    if (barrier) barriers++;
    queue = queue
      .then(work)
      .catch((error: unknown) => {
        log.warn({ err: error }, 'chat frame failed');
        sendError(ErrorCode.Unavailable, 'the server could not complete this right now; resend later');
      })
      .finally(() => {
        if (barrier) barriers--;
      });
  };
  settlers.set(socket, async () => {
    let current: Promise<void>;
    do {
      current = queue;
      await current;
    } while (current !== queue);
  });

  // M5: the socket hears every room its user is in before it says hello,
  // and everything the client sends waits for that: whatever a client does
  // after hello (a catch-up, or just listening, as seed-style clients do)
  // misses nothing committed since.
  enqueue(async () => {
    try {
      app.hub.join(subscriber, await app.rooms.roomIdsOf(userId));
      send({ type: 'hello', user_id: userId, token: freshToken, protocol: PROTOCOL_VERSION });
      const waiting = early ?? [];
      early = null;
      for (const json of waiting) subscriber.send(json);
    } catch (error) {
      // A socket that hears nothing live is worse than none: the client reconnects.
      log.warn({ err: error }, 'could not read the rooms of a new socket');
      socket.close(CloseCode.GoingAway, 'try again');
    }
  });

  const rates = app.socketRates;
  const flood = new TokenBucket(rates.frameBurst, rates.framesPerSecond);
  const itemBudget = new TokenBucket(rates.messageBurst, rates.messagesPerSecond);
  const context: FrameContext = {
    userId,
    sessionId: identity.sessionId,
    log,
    subscriber,
    send,
    sendError,
    enqueue,
    get unblocked() {
      return barriers === 0;
    },
    spend(items) {
      if (itemBudget.take(items)) return true;
      socket.close(CloseCode.PolicyViolation, 'too many messages');
      return false;
    },
    drained: () => drained(socket),
  };
  app.frames.opened(context);

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (!flood.take()) {
      socket.close(CloseCode.PolicyViolation, 'too many frames');
      return;
    }
    if (isBinary) {
      sendError(ErrorCode.BinaryFrame, 'frames must be JSON text');
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      sendError(ErrorCode.InvalidFrame, 'frame is not valid JSON');
      return;
    }
    const type = typeOf(frame);
    // P9: answered at once, even while a send waits on the database; only
    // hello ever comes before it (P1).
    if (type === 'ping') {
      if (early === null) send({ type: 'pong' });
      else enqueue(async () => send({ type: 'pong' }), false);
      return;
    }
    const handler = app.frames.get(type);
    if (!handler) {
      sendError(ErrorCode.InvalidFrame, `unknown frame type; expected one of ${app.frames.types().join(', ')}`);
      return;
    }
    handler(frame, context);
  });

  // Dead peers (a phone that lost its network) never send a close frame.
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const pinger = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, SERVER_PING_INTERVAL_MS);

  socket.on('close', () => {
    clearInterval(pinger);
    app.hub.disconnect(subscriber);
    app.connectionLimits.unregister(ip, userId, socket);
    app.frames.closed(context);
  });
  socket.on('error', (error) => log.debug({ err: error }, 'socket error'));
}
