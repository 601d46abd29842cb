import fp from 'fastify-plugin';
import { LiveSignals } from './live-signals.js';
import { typingFrameHandler } from './typing.socket.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** L2, L5: live signals, relayed across instances and never stored. */
    live: LiveSignals;
  }
}

/** Live signals (L): typing indicators (L2) so far, on a LISTEN/NOTIFY channel of their own (L5). */
export default fp(
  async (app) => {
    const live = new LiveSignals(app.db, app.hub, app.log);
    await live.start(app.fanout);
    app.decorate('live', live);
    app.frames.register('typing', typingFrameHandler(app, live));
  },
  { name: 'live', dependencies: ['db', 'realtime', 'rooms'] },
);
