import fp from 'fastify-plugin';
import { OpName } from '../protocol/index.js';
import { deliveredFrameHandler } from './delivered.socket.js';
import { readOps } from './read-op.js';
import { ReceiptsRelay } from './receipts-relay.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** L3, L4: marker changes, gathered and relayed to every instance's sockets. */
    receipts: ReceiptsRelay;
  }
}

/** Read markers (L3) and receipts (L4): the `read` op, the `delivered` frame, and their announcements (L5). */
export default fp(
  async (app) => {
    const relay = new ReceiptsRelay(app.db, app.hub, app.log);
    await relay.start(app.fanout);
    app.decorate('receipts', relay);
    app.ops.register(readOps(relay), { idempotentByNature: [OpName.Read] });
    app.frames.register('delivered', deliveredFrameHandler(app, relay));
    // What is gathered goes out before the fan-out's listener stops.
    app.addHook('preClose', async () => relay.flush());
  },
  { name: 'receipts', dependencies: ['db', 'realtime', 'rooms'] },
);
