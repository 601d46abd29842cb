import WebSocket from 'ws';
import type { ClientFrame, HelloFrame, ServerFrame } from '../../server/protocol/index.js';

/** How long a test waits for an expected frame before failing. */
const FRAME_TIMEOUT_MS = 5_000;

type Waiter = { match: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void };

/**
 * A protocol client for tests: buffers every frame the server sends so a
 * test can wait for the next one matching a predicate, in order.
 */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  private cursor = 0;
  private waiters: Waiter[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  hello!: HelloFrame;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string, token?: string): Promise<TestSocket> {
    const ws = new WebSocket(token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`);
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    socket.hello = (await socket.next((f) => f.type === 'hello')) as HelloFrame;
    return socket;
  }

  get userId(): string {
    return this.hello.user_id;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.ws.send(data, options);
  }

  /** The next frame (after those already taken) for which match() holds. */
  next<T extends ServerFrame = ServerFrame>(match: (frame: ServerFrame) => boolean = () => true, timeoutMs = FRAME_TIMEOUT_MS): Promise<T> {
    for (let i = this.cursor; i < this.frames.length; i++) {
      if (match(this.frames[i])) {
        this.cursor = i + 1;
        return Promise.resolve(this.frames[i] as T);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(this.cursor))}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          this.cursor = this.frames.length;
          resolve(frame as T);
        },
      });
    });
  }

  /** Every frame of `type` received so far. */
  all<K extends ServerFrame['type']>(type: K): Extract<ServerFrame, { type: K }>[] {
    return this.frames.filter((frame): frame is Extract<ServerFrame, { type: K }> => frame.type === type);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
