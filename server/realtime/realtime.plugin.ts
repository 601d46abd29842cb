import fp from 'fastify-plugin';
import { DEFAULT_SOCKET_RATES, type SocketRates } from './chat-socket.js';
import { ConnectionLimits, type AbuseLimits } from './connection-limits.js';
import { FrameRegistry } from './frame-registry.js';
import { PgFanout } from './pg-fanout.js';
import { RoomHub } from './room-hub.js';
import { SessionSockets } from './session-sockets.js';

declare module 'fastify' {
  interface FastifyInstance {
    hub: RoomHub;
    fanout: PgFanout;
    /** Frame type → handler; each domain registers its own (messages, ops, sync, …). */
    frames: FrameRegistry;
    connectionLimits: ConnectionLimits;
    /** Open sockets by device session, closed when the session is revoked (A4). */
    sessionSockets: SessionSockets;
    socketRates: SocketRates;
  }
}

/**
 * The realtime infrastructure, apart from any domain: the socket's frame
 * registry, connection limits, and fan-out. Every commit to a room log is
 * announced through PostgreSQL (S6) and each instance's hub delivers it to
 * its own sockets.
 */
export default fp<{ databaseUrl: string; socketRates?: Partial<SocketRates>; limits?: AbuseLimits }>(
  async (app, { databaseUrl, socketRates, limits }) => {
    app.decorate('socketRates', { ...DEFAULT_SOCKET_RATES, ...socketRates });
    app.decorate('frames', new FrameRegistry());
    const hub = new RoomHub();
    const fanout = new PgFanout(databaseUrl, hub, app.db, app.log);
    app.decorate('hub', hub);
    app.decorate('fanout', fanout);
    const connectionLimits = new ConnectionLimits(limits);
    app.decorate('connectionLimits', connectionLimits);
    app.decorate('sessionSockets', new SessionSockets());
    app.addHook('onClose', async () => connectionLimits.close());
    await fanout.start();
    // After the domains' preClose hooks (writers drained): nothing is left to announce.
    app.addHook('preClose', async () => {
      await fanout.stop();
    });
  },
  { name: 'realtime', dependencies: ['db'] },
);
