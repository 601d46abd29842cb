import type { FastifyBaseLogger } from 'fastify';
import type { ErrorCode, ServerFrame } from '../protocol/index.js';
import type { Subscriber } from './room-hub.js';

/** What a frame handler may do with the socket it was called for. */
export interface FrameContext {
  readonly userId: string;
  /** The device session the socket's token names (A4). */
  readonly sessionId: string;
  readonly log: FastifyBaseLogger;
  /** The socket's place in the hub (fan-out subscriptions). */
  readonly subscriber: Subscriber;
  send(frame: ServerFrame): void;
  sendError(code: ErrorCode, message: string): void;
  /**
   * S4: queues work behind everything this socket sent before. A barrier
   * (the default) also holds back every later frame until it is done.
   */
  enqueue(work: () => Promise<void>, barrier?: boolean): void;
  /** Nothing queued that later frames must wait for: a send may go straight to its room's writer. */
  readonly unblocked: boolean;
  /**
   * Spends `items` of the socket's item budget (P8); false when it is
   * exhausted, in which case the socket is already being closed.
   */
  spend(items: number): boolean;
  /** Resolves true once the socket's output has drained enough for more (false: give up on it). */
  drained(): Promise<boolean>;
}

/** Handles one parsed frame of its type; answers through the context. */
export type FrameHandler = (frame: unknown, context: FrameContext) => void;

/**
 * Told of every accepted socket's life: `opened` once it is registered with
 * the hub (before hello), `closed` once when it is gone, whatever closed it.
 * For what depends on sockets being there rather than on frames (L1
 * presence), so the socket code knows nothing of it.
 */
export interface SocketListener {
  opened(context: FrameContext): void;
  closed(context: FrameContext): void;
}

/**
 * Frame type → handler. The socket knows no frame type but ping; each
 * domain registers the types it answers, so a new frame is a new entry
 * here, not a new branch in the connection.
 */
export class FrameRegistry {
  private readonly handlers = new Map<string, FrameHandler>();
  private readonly listeners: SocketListener[] = [];

  register(type: string, handler: FrameHandler): void {
    if (this.handlers.has(type) || type === 'ping') throw new Error(`frame type ${type} is already handled`);
    this.handlers.set(type, handler);
  }

  get(type: unknown): FrameHandler | undefined {
    return typeof type === 'string' ? this.handlers.get(type) : undefined;
  }

  types(): string[] {
    return [...this.handlers.keys(), 'ping'];
  }

  /** Registers a listener of every socket's opening and closing. */
  onSocket(listener: SocketListener): void {
    this.listeners.push(listener);
  }

  /** Called by the socket once it is registered with the hub. */
  opened(context: FrameContext): void {
    for (const listener of this.listeners) listener.opened(context);
  }

  /** Called by the socket once, when it has closed. */
  closed(context: FrameContext): void {
    for (const listener of this.listeners) listener.closed(context);
  }
}
