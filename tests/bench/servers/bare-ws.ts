/**
 * The floor for fan-out: a bare `ws` server with no database, no parsing and
 * no batching. Every text frame received is sent, as it came, to every open
 * socket (the sender's included): one frame per message per socket, the way
 * a naive Node broadcast server works.
 *
 *   PORT=8090 node --import tsx tests/bench/servers/bare-ws.ts
 *
 * Listens on 127.0.0.1 only; prints `listening <port>` when ready and exits
 * when its stdin closes (run.ts went away) or on SIGTERM/SIGINT.
 */
import { WebSocketServer, type RawData } from 'ws';

const port = Number(process.env.PORT ?? 0);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: true });

wss.on('connection', (socket) => {
  socket.on('message', (data: RawData, isBinary: boolean) => {
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(data, { binary: isBinary });
  });
  socket.on('error', () => undefined);
});

wss.on('listening', () => {
  const address = wss.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
});

const stop = () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
