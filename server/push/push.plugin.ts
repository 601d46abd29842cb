import type { Agent } from 'node:https';
import fp from 'fastify-plugin';
import { muteOps } from './mute-op.js';
import { createPushRepository, type PushRepository } from './push-repository.js';
import { PushSender } from './push-sender.js';
import { loadVapidKeys, type VapidSources } from './vapid-keys.js';
import { ViewingTracker } from './viewing.socket.js';

export interface PushPluginOptions {
  /** VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT; absent keys: generated once and kept in the database. */
  vapid?: VapidSources;
  /** The https.Agent pushes go through (tests: one that trusts a local push service's certificate). */
  agent?: Agent;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** N1–N3: Web Push. */
    push: { publicKey: string; repository: PushRepository; sender: PushSender };
  }
}

/**
 * Web Push (N1–N3) and muted rooms: the `viewing` frame, the `mute` op, and
 * a push to the members' devices after each commit of new messages, and to
 * clear a notification once the room is read elsewhere.
 */
export default fp<PushPluginOptions>(
  async (app, options) => {
    const vapid = await loadVapidKeys(app.db, options.vapid);
    const repository = createPushRepository(app.db, app.instanceId);
    const sender = new PushSender(repository, vapid, app.log, options.agent);
    app.decorate('push', { publicKey: vapid.publicKey, repository, sender });

    const viewing = new ViewingTracker(repository, app.log);
    app.frames.register('viewing', viewing.handle);
    app.frames.onSocket(viewing);
    app.ops.register(muteOps(repository));
    app.writer.onCommit((messages) => sender.messagesStored(messages));
    app.receipts.onRead((userId, roomId, seq) => sender.readMoved(userId, roomId, seq));
    // Pushes in flight get a moment to finish before the pool closes.
    app.addHook('preClose', async () => {
      await sender.settled();
      sender.stop();
    });
  },
  { name: 'push', dependencies: ['db', 'realtime', 'rooms', 'messages', 'live', 'receipts'] },
);
