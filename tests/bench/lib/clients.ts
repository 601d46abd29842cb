/**
 * One benchmark socket per call, for each server under test, all with the
 * same shape: send one message per frame, hand the tag and send time found
 * in every received message's content to a callback, with the time its
 * frame arrived.
 *
 * - whisper: the Whisper protocol. Waits for `hello`; sends
 *   {"type":"messages","data":[{client_id, content}]}; reads P4 broadcasts
 *   (one frame may hold many messages: whatever one commit stored).
 * - bare: a plain `ws` broadcast server (servers/bare-ws.ts) relaying the
 *   same frames byte for byte, one frame per message per socket.
 * - socketio: Socket.IO over its WebSocket transport only (no long-polling
 *   start), event `m` carrying {client_id, content} each way.
 */
import { io, type Socket as IoSocket } from 'socket.io-client';
import WebSocket from 'ws';
import { assertLoopbackAddress, assertLoopbackUrl } from './loopback.js';

export type Target = 'whisper' | 'bare' | 'socketio';

export interface BenchSocketHandlers {
  /**
   * A broadcast copy of a benchmark message arrived. Benchmark contents start
   * with `<tag>:<send time>:`; both come back as numbers. `now` is
   * performance.now() when its frame arrived.
   */
  onStamp?: (tag: number, sentAt: number, now: number) => void;
  /** Whisper only: an ack (P3) for `count` messages. */
  onAck?: (count: number, now: number) => void;
  /** Anything unexpected: an error or rejected frame, a socket closing under us. */
  onProblem?: (what: string) => void;
}

export interface BenchSocket {
  send(clientId: string, content: string, roomId?: string): void;
  /** Bytes queued in the client that the kernel has not taken yet. */
  buffered(): number;
  readonly open: boolean;
  close(): void;
}

const CONNECT_TIMEOUT_MS = 20_000;

export function connectBenchSocket(target: Target, url: string, localAddress: string, handlers: BenchSocketHandlers): Promise<BenchSocket> {
  assertLoopbackUrl(url);
  assertLoopbackAddress(localAddress);
  return target === 'socketio' ? connectSocketIo(url, localAddress, handlers) : connectWs(target, url, localAddress, handlers);
}

const MESSAGES_PREFIX = '{"type":"messages"';
const ACK_PREFIX = '{"type":"message_ids"';
const CONTENT_KEY = Buffer.from('"content":"');
const COLON = 0x3a;
const DOT = 0x2e;
const ZERO = 0x30;

/**
 * Finds every `"content":"<tag>:<time>:` in a messages frame without parsing
 * the JSON: the load generator must stay cheaper than the servers it loads,
 * and a full JSON.parse of every copy on 200 sockets would make it the
 * bottleneck. Benchmark contents never hold the key or an escaped character
 * before the second colon, so this finds exactly one stamp per message.
 */
export function scanStamps(frame: Buffer, now: number, onStamp: (tag: number, sentAt: number, now: number) => void): void {
  const end = frame.length;
  let at = frame.indexOf(CONTENT_KEY);
  while (at !== -1) {
    // Digits are read straight from the bytes: no string per copy.
    let i = at + CONTENT_KEY.length;
    let tag = 0;
    while (i < end && frame[i] !== COLON) tag = tag * 10 + frame[i++] - ZERO;
    i++;
    let whole = 0;
    while (i < end && frame[i] !== DOT && frame[i] !== COLON) whole = whole * 10 + frame[i++] - ZERO;
    let fraction = 0;
    let scale = 1;
    if (frame[i] === DOT) {
      i++;
      while (i < end && frame[i] !== COLON) {
        fraction = fraction * 10 + frame[i++] - ZERO;
        scale *= 10;
      }
    }
    if (i >= end) return;
    onStamp(tag, whole + fraction / scale, now);
    at = frame.indexOf(CONTENT_KEY, i);
  }
}

function connectWs(target: 'whisper' | 'bare', url: string, localAddress: string, handlers: BenchSocketHandlers): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    // skipUTF8Validation: the load generator trusts the servers under test
    // with its own text; checking it would only cost the load generator CPU.
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false, handshakeTimeout: CONNECT_TIMEOUT_MS, skipUTF8Validation: true });
    let ready = false;
    let closing = false;
    const socket: BenchSocket = {
      send(clientId, content, roomId) {
        const item = roomId === undefined ? { client_id: clientId, content } : { client_id: clientId, room_id: roomId, content };
        ws.send(JSON.stringify({ type: 'messages', data: [item] }));
      },
      buffered: () => ws.bufferedAmount,
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
      close() {
        closing = true;
        ws.terminate();
      },
    };
    const timer = setTimeout(() => {
      if (ready) return;
      ws.terminate();
      reject(new Error(`no ${target === 'whisper' ? 'hello' : 'open'} within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    const becomeReady = () => {
      ready = true;
      clearTimeout(timer);
      resolve(socket);
    };
    if (target === 'bare') ws.once('open', becomeReady);

    const { onStamp, onAck, onProblem } = handlers;
    ws.on('message', (data: Buffer) => {
      const now = performance.now();
      const head = data.toString('latin1', 0, 24);
      if (head.startsWith(MESSAGES_PREFIX)) {
        if (onStamp) scanStamps(data, now, onStamp);
        return;
      }
      const text = data.toString('utf8');
      if (text.startsWith(ACK_PREFIX)) {
        if (onAck) onAck((JSON.parse(text) as { message_ids: string[] }).message_ids.length, now);
        return;
      }
      if (!ready && text.startsWith('{"type":"hello"')) {
        becomeReady();
        return;
      }
      onProblem?.(text.slice(0, 300));
    });
    ws.on('error', (error) => {
      if (!ready) {
        clearTimeout(timer);
        reject(error);
      } else onProblem?.(`socket error: ${error.message}`);
    });
    ws.on('close', (code, reason) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`closed before ready: ${code} ${reason.toString()}`));
      } else if (!closing) onProblem?.(`socket closed: ${code} ${reason.toString()}`);
    });
    ws.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`handshake refused: HTTP ${response.statusCode}`));
      ws.terminate();
    });
  });
}

function connectSocketIo(url: string, localAddress: string, handlers: BenchSocketHandlers): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const client: IoSocket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: CONNECT_TIMEOUT_MS,
      // Passed through engine.io-client to the `ws` constructor in Node.
      localAddress,
      perMessageDeflate: false,
    } as unknown as Parameters<typeof io>[1]);
    let ready = false;
    let closing = false;
    const { onStamp, onProblem } = handlers;
    if (onStamp) {
      client.on('m', (message: { content: string }) => {
        const now = performance.now();
        const { content } = message;
        const first = content.indexOf(':');
        onStamp(Number(content.slice(0, first)), Number(content.slice(first + 1, content.indexOf(':', first + 1))), now);
      });
    }
    client.once('connect', () => {
      ready = true;
      resolve({
        send(clientId, content) {
          client.emit('m', { client_id: clientId, content });
        },
        buffered: () => {
          // engine.io keeps its own write buffer in front of the ws socket.
          const engine = client.io.engine as unknown as { writeBuffer?: unknown[]; transport?: { ws?: WebSocket } };
          return (engine.transport?.ws?.bufferedAmount ?? 0) + (engine.writeBuffer?.length ?? 0);
        },
        get open() {
          return client.connected;
        },
        close() {
          closing = true;
          client.disconnect();
        },
      });
    });
    client.on('connect_error', (error) => {
      if (!ready) reject(error);
      else onProblem?.(`connect_error: ${error.message}`);
    });
    client.on('disconnect', (reason) => {
      if (ready && !closing) onProblem?.(`socket closed: ${reason}`);
    });
  });
}
