import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** What the proxy answers by itself (FaultProxy.answerHttp). */
export interface ProxyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The subprotocol the server chose for each relayed upgrade, answered to the client. */
const upstreamProtocols = new WeakMap<http.IncomingMessage, string>();

/**
 * An HTTP and WebSocket relay between the browser and the server that a test
 * can break on purpose: cut every connection (a dead network), go silent
 * (frames dropped, nothing closed: what a phone in a tunnel sees), refuse new
 * connections, or drop chosen frames (a lost ack). Chromium's setOffline()
 * does not close a WebSocket that is already open, so the tests need this.
 */
export class FaultProxy {
  private readonly server: http.Server;
  // The client is answered with the subprotocol the server chose (the app
  // offers `whisper` and its token as subprotocols, P1), as a real proxy
  // that forwards the handshake headers would.
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (_offered, request) => upstreamProtocols.get(request) || false,
  });
  private readonly pairs = new Set<{ client: WebSocket; upstream: WebSocket }>();
  private readonly rawSockets = new Set<Socket>();
  private silent = false;
  private refusing = false;
  /** Server → browser text frames for which this returns true are dropped. */
  dropFromServer: ((frame: string) => boolean) | null = null;
  /** Frames the proxy dropped, for assertions. */
  readonly dropped: string[] = [];
  /**
   * Browser → server HTTP requests for which this returns true are held:
   * neither relayed nor answered (their bodies unread), until cutAll()
   * kills their connections. A link that stalls mid-upload, so a test can
   * cut it at a known point rather than race a fast loopback.
   */
  holdHttp: ((request: http.IncomingMessage) => boolean) | null = null;
  /** Requests held by holdHttp, for assertions. */
  readonly held: { method: string; url: string; uploadOffset: string | undefined }[] = [];
  /**
   * Browser → server HTTP requests for which this returns an answer get it
   * from the proxy, never relayed: a file the server would serve, as a newer
   * deployment would serve it (a changed service worker: W2).
   */
  answerHttp: ((request: http.IncomingMessage) => ProxyAnswer | null) | null = null;

  constructor(private readonly targetPort: () => number) {
    this.server = http.createServer((request, response) => this.relayHttp(request, response));
    this.server.on('upgrade', (request, socket, head) => this.relayUpgrade(request, socket as Socket, head));
    this.server.on('connection', (socket) => {
      this.rawSockets.add(socket);
      socket.on('close', () => this.rawSockets.delete(socket));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Every open connection dies at once, as when the network goes away. */
  cutAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.terminate();
      upstream.terminate();
    }
    this.pairs.clear();
    for (const socket of this.rawSockets) socket.destroy();
  }

  /** Stop relaying WebSocket frames either way without closing anything. */
  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  /** Refuse new connections (the server looks unreachable). */
  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relayHttp(request: http.IncomingMessage, response: http.ServerResponse) {
    if (this.refusing) {
      request.socket.destroy();
      return;
    }
    const answer = this.answerHttp?.(request);
    if (answer) {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
      return;
    }
    if (this.holdHttp?.(request)) {
      const uploadOffset = request.headers['upload-offset'];
      this.held.push({ method: request.method ?? '', url: request.url ?? '', uploadOffset: Array.isArray(uploadOffset) ? uploadOffset[0] : uploadOffset });
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: this.targetPort(), method: request.method, path: request.url, headers: request.headers },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', () => {
      // The server is down: the browser sees a dead connection, not a proxy page.
      request.socket.destroy();
    });
    request.pipe(upstream);
  }

  private relayUpgrade(request: http.IncomingMessage, socket: Socket, head: Buffer) {
    if (this.refusing) {
      socket.destroy();
      return;
    }
    // Forward Origin and Host as the browser sent them: the server checks
    // that a socket's Origin is its own site (cross-site WebSocket hijacking).
    const headers: Record<string, string> = {};
    if (request.headers.origin) headers.origin = request.headers.origin;
    if (request.headers.host) headers.host = request.headers.host;
    const offered = (request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((protocol) => protocol.trim())
      .filter(Boolean);
    const upstream = new WebSocket(`ws://127.0.0.1:${this.targetPort()}${request.url}`, offered, { headers });
    upstream.once('error', () => socket.destroy());
    upstream.once('open', () => {
      upstreamProtocols.set(request, upstream.protocol);
      this.wss.handleUpgrade(request, socket, head, (client) => {
        const pair = { client, upstream };
        this.pairs.add(pair);
        client.on('message', (data, isBinary) => {
          if (!this.silent && upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
        });
        upstream.on('message', (data, isBinary) => {
          if (this.silent || client.readyState !== WebSocket.OPEN) return;
          const text = isBinary ? null : data.toString();
          if (text !== null && this.dropFromServer?.(text)) {
            this.dropped.push(text);
            return;
          }
          client.send(data, { binary: isBinary });
        });
        const closeBoth = () => {
          this.pairs.delete(pair);
          client.terminate();
          upstream.terminate();
        };
        client.on('close', closeBoth);
        upstream.on('close', closeBoth);
        client.on('error', closeBoth);
        upstream.on('error', closeBoth);
      });
    });
  }
}
