import fp from 'fastify-plugin';
import { FANOUT_CHANNEL } from '../realtime/pg-fanout.js';
import { createRoomOps, type RoomOps } from './room-ops.js';
import { createRoomsRepository, type RoomsRepository } from './rooms-repository.js';
import { opsFrameHandler } from './rooms.socket.js';
import { syncFrameHandler } from './sync.socket.js';

declare module 'fastify' {
  interface FastifyInstance {
    rooms: RoomsRepository;
    roomOps: RoomOps;
  }
}

/** Rooms and their logs: membership (M1–M6), the ops (P11) and catch-up (P6). */
export default fp(
  async (app) => {
    app.decorate('rooms', createRoomsRepository(app.db));
    app.decorate('roomOps', createRoomOps(app.db, FANOUT_CHANNEL));
    app.frames.register('ops', opsFrameHandler(app));
    app.frames.register('sync', syncFrameHandler(app));
  },
  { name: 'rooms', dependencies: ['db', 'realtime'] },
);
