/**
 * Socket.IO doing the same broadcast as bare-ws.ts: every `m` event received
 * is emitted to every connected socket (the sender's included) with
 * io.emit, which encodes the packet once and writes it to each socket. The
 * WebSocket transport only, as the load generator's clients use.
 *
 *   PORT=8091 node --import tsx tests/bench/servers/socketio.ts
 *
 * Listens on 127.0.0.1 only; prints `listening <port>` when ready and exits
 * when its stdin closes (run.ts went away) or on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const httpServer = createServer();
const io = new Server(httpServer, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  socket.on('m', (message: unknown) => {
    io.emit('m', message);
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  const address = httpServer.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
});

const stop = () => {
  io.disconnectSockets(true);
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
