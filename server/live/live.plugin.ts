import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import { LiveSignals } from './live-signals.js';
import { DEFAULT_PRESENCE_TIMINGS, PresenceTracker, type PresenceTimings } from './presence.js';
import { createPresenceRepository } from './presence-repository.js';
import { typingFrameHandler } from './typing.socket.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** L1, L2, L5: live signals, relayed across instances and never stored. */
    live: LiveSignals;
    /** L1: this instance's part of presence; sendSnapshot() answers a syncing socket. */
    presence: PresenceTracker;
    /** This process's row in server_instances (its heartbeat): rows other domains keep per instance go with it. */
    instanceId: string;
  }
}

/**
 * Live signals (L): presence (L1) and typing indicators (L2), on a
 * LISTEN/NOTIFY channel of their own (L5). Presence follows the sockets
 * through the frame registry's socket listeners, so the socket code knows
 * nothing of it.
 */
export default fp<{ presence?: Partial<PresenceTimings> }>(
  async (app, options) => {
    const live = new LiveSignals(app.db, app.hub, app.rooms, app.log);
    await live.start(app.fanout);
    app.decorate('live', live);
    app.frames.register('typing', typingFrameHandler(app, live));

    // A random id per process: a restarted process is a new instance, and its old rows are swept like a dead one's.
    const instanceId = randomUUID();
    app.decorate('instanceId', instanceId);
    const presence = new PresenceTracker(createPresenceRepository(app.db, instanceId), app.log, { ...DEFAULT_PRESENCE_TIMINGS, ...options.presence });
    await presence.start();
    app.decorate('presence', presence);
    app.frames.onSocket(presence);
    // Before the sockets are closed and the listener stops (the realtime
    // plugin's preClose runs after this one): offline at once, no grace.
    app.addHook('preClose', async () => presence.close());
  },
  { name: 'live', dependencies: ['db', 'realtime', 'rooms'] },
);
