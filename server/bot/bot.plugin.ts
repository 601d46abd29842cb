import fp from 'fastify-plugin';
import { BOT_CHANNEL, botJobs } from './bot-jobs-repository.js';
import { BotWorker, DEFAULT_BOT_OPTIONS, type BotOptions } from './bot-worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** B1, B2: Whisper Bot's worker on this instance. */
    bot: BotWorker;
  }
}

/**
 * Whisper Bot (B1, B2): a user anyone can open a DM with (migrations/012),
 * answered by a worker on every instance; with `greeting`, every new
 * identity finds a DM from it with a welcome.
 */
export default fp<{ bot?: Partial<BotOptions> }>(
  async (app, { bot }) => {
    const options: BotOptions = { ...DEFAULT_BOT_OPTIONS, ...bot };
    const worker = new BotWorker(
      {
        pool: app.db,
        messages: app.messages,
        ops: app.ops,
        typing: (roomId, userId, typing) => app.live.typing(roomId, userId, typing),
        committed: (messages) => {
          app.fanout.remember(messages);
          // N1: an answer to a phone in a pocket notifies like anyone's message.
          app.push.sender.messagesStored(messages);
        },
        log: app.log,
      },
      options,
    );
    app.decorate('bot', worker);
    if (options.greeting) {
      app.onIdentityCreated(async (userId) => {
        // Before the identity's first token: anyone who holds one is owed a greeting, kept in the database (B2).
        await botJobs.addGreeting(app.db, userId);
        worker.wake();
      });
    }
    // A reconnected listener may have missed notices: look for work at once.
    await app.fanout.listen(BOT_CHANNEL, () => worker.wake(), () => worker.wake());
    // Jobs left by a crash, or by instances that are gone.
    worker.wake();
    // The pass under way finishes while the pool is still open (it closes on onClose, after every preClose).
    app.addHook('preClose', async () => worker.stop());
  },
  { name: 'bot', dependencies: ['db', 'auth', 'realtime', 'rooms', 'messages', 'live', 'receipts', 'push'] },
);
