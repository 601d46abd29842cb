import type { Writable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import type { WebSocket } from 'ws';
import {
  CloseCode,
  DEFAULT_ROOM_ID,
  ErrorCode,
  HISTORY_MAX_LIMIT,
  MAX_BATCH_SIZE,
  type ServerFrame,
} from '../protocol.js';
import { sendMessages, type SendOutcome } from './chat-service.js';
import { SendFrameSchema, SyncFrameSchema } from './frame-schemas.js';
import type { Subscriber } from './room-hub.js';
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
 * Messages per socket: room for a full offline outbox to flush at once (the
 * client plans at most 1,000 per flush), not for a spam cannon.
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

const validateSend = Compile(SendFrameSchema);
const validateSync = Compile(SyncFrameSchema);

/** How many rooms a send's items name (an item without room_id is in the default room, as validation sees it). */
function roomCount(items: unknown[]): number {
  const rooms = new Set<unknown>();
  for (const item of items) {
    rooms.add(typeof item === 'object' && item !== null ? ((item as { room_id?: unknown }).room_id ?? DEFAULT_ROOM_ID) : DEFAULT_ROOM_ID);
  }
  return rooms.size;
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
  /** The token from the query string, if any (P1). */
  token: string | undefined;
  ip: string;
  /** The connection under the WebSocket, whose writes are batched per tick. */
  stream: Writable;
  log: FastifyBaseLogger;
}

/**
 * One connected socket: identity (P1), sends (P2/P3), fan-out membership
 * (P4), catch-up (P6), rejections and errors (P7/P8) and heartbeat (P9).
 */
export function handleChatSocket(app: FastifyInstance, socket: WebSocket, { token, ip, stream, log }: ChatConnection): void {
  const cork = corkForThisTick(stream);
  const send = (frame: ServerFrame) => {
    if (socket.readyState !== socket.OPEN) return;
    cork();
    socket.send(JSON.stringify(frame));
  };
  const sendError = (code: ErrorCode, message: string) => send({ type: 'error', code, message });

  let userId: string;
  let freshToken: string;
  if (token === undefined || token === '') {
    ({ userId, token: freshToken } = app.newIdentity());
  } else {
    const identity = app.verifyToken(token);
    if (!identity) {
      sendError(ErrorCode.InvalidToken, 'token not recognised; create a new session');
      socket.close(CloseCode.InvalidToken, 'invalid token');
      return;
    }
    userId = identity.userId;
    freshToken = app.issueToken(userId);
  }

  const subscriber: Subscriber = {
    send: (json) => {
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
  app.hub.subscribe(DEFAULT_ROOM_ID, subscriber);
  send({ type: 'hello', user_id: userId, token: freshToken });

  // S4: sends and syncs from one socket are handled strictly in arrival order.
  let queue: Promise<void> = Promise.resolve();
  /**
   * Queued work that nothing after it may overtake: syncs, and sends that
   * name several rooms (their writes start only after a room check).
   */
  let barriers = 0;
  const enqueue = (work: () => Promise<void>, barrier = true) => {
    if (barrier) barriers++;
    queue = queue
      .then(work)
      .catch((error: unknown) => {
        log.warn({ err: error }, 'chat frame failed');
        sendError(ErrorCode.Unavailable, 'the server could not store or read messages right now; resend later');
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

  const answer = ({ ack, rejected, unavailable }: SendOutcome) => {
    for (const frame of rejected) send(frame);
    if (ack) send(ack);
    if (unavailable) sendError(ErrorCode.Unavailable, 'some messages could not be stored right now; resend them');
  };
  const handleSend = async (data: unknown[]) => answer(await sendMessages(app.writer, userId, data));

  const handleSync = async (roomId: string, afterSeq: number) => {
    const head = await app.messages.lastSeq(roomId);
    if (head === null) {
      sendError(ErrorCode.UnknownRoom, `room ${JSON.stringify(roomId)} does not exist`);
      return;
    }
    // Subscribe before reading so nothing committed meanwhile falls between
    // the last page and the live stream; duplicates are dropped by seq.
    app.hub.subscribe(roomId, subscriber);
    let cursor = afterSeq;
    for (;;) {
      if (!(await drained(socket))) {
        if (socket.readyState === socket.OPEN) socket.terminate();
        return;
      }
      const page = await app.messages.history({ roomId, afterSeq: cursor, limit: HISTORY_MAX_LIMIT });
      if (page.messages.length > 0) {
        send({ type: 'messages', data: page.messages });
        cursor = page.messages[page.messages.length - 1].seq;
      }
      if (!page.hasMore) break;
    }
    // A cursor past the room's end (the database was restored from an older
    // backup) is answered with the real end, so the client can notice.
    send({ type: 'synced', room_id: roomId, seq: cursor > afterSeq ? cursor : Math.min(afterSeq, head) });
  };

  const rates = app.socketRates;
  const flood = new TokenBucket(rates.frameBurst, rates.framesPerSecond);
  const messageBudget = new TokenBucket(rates.messageBurst, rates.messagesPerSecond);
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
    switch (typeOf(frame)) {
      case 'ping':
        send({ type: 'pong' });
        return;
      case 'messages': {
        if (!validateSend.Check(frame)) {
          sendError(ErrorCode.InvalidFrame, 'a messages frame needs a non-empty data array');
          return;
        }
        if (frame.data.length > MAX_BATCH_SIZE) {
          sendError(ErrorCode.BatchTooLarge, `at most ${MAX_BATCH_SIZE} messages per frame`);
          return;
        }
        const items = frame.data;
        if (!messageBudget.take(items.length)) {
          socket.close(CloseCode.PolicyViolation, 'too many messages');
          return;
        }
        if (barriers === 0 && roomCount(items) === 1) {
          // Pipelined: a one-room send reaches the writer's queue at once
          // (sendMessages calls writer.write synchronously for one room), so
          // frames that follow each other from one socket share a
          // transaction instead of waiting a commit each. Writes still enter
          // the room's queue in arrival order, and only the answers take
          // their turn in `queue`, so acks keep arrival order too (S4).
          const outcome = sendMessages(app.writer, userId, items);
          outcome.catch(() => undefined); // reported when its turn comes
          enqueue(async () => answer(await outcome), false);
        } else {
          enqueue(() => handleSend(items));
        }
        return;
      }
      case 'sync': {
        if (!validateSync.Check(frame)) {
          sendError(ErrorCode.InvalidFrame, 'a sync frame needs room_id and a non-negative integer after_seq');
          return;
        }
        const { room_id, after_seq } = frame;
        enqueue(() => handleSync(room_id, after_seq));
        return;
      }
      default:
        sendError(ErrorCode.InvalidFrame, 'unknown frame type; expected messages, sync or ping');
    }
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
    app.hub.unsubscribeAll(subscriber);
    app.connectionLimits.unregister(ip, userId, socket);
  });
  socket.on('error', (error) => log.debug({ err: error }, 'socket error'));
}
