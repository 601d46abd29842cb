import fp from 'fastify-plugin';
import { FANOUT_CHANNEL } from '../realtime/pg-fanout.js';
import { createOpRunner, type OpRunner } from './op-runner.js';
import { roomOps } from './room-ops.js';
import { createRoomsRepository, type RoomsRepository } from './rooms-repository.js';
import { opsFrameHandler } from './rooms.socket.js';
import { syncFrameHandler } from './sync.socket.js';

declare module 'fastify' {
  interface FastifyInstance {
    rooms: RoomsRepository;
    /** P11: every op, whatever its domain; each domain registers the ops it handles. */
    ops: OpRunner;
  }
}

/** Rooms and their logs: membership (M1–M6), the op runner and its `ops` frame (P11), and catch-up (P6). */
export default fp(
  async (app) => {
    app.decorate('rooms', createRoomsRepository(app.db));
    const ops = createOpRunner(app.db, FANOUT_CHANNEL);
    ops.register(roomOps);
    app.decorate('ops', ops);
    app.frames.register('ops', opsFrameHandler(app));
    app.frames.register('sync', syncFrameHandler(app));
  },
  { name: 'rooms', dependencies: ['db', 'realtime'] },
);
