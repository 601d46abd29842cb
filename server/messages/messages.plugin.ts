import fp from 'fastify-plugin';
import { createMessagesRepository, type MessagesRepository } from './messages-repository.js';
import { messageOps } from './message-ops.js';
import { MessageWriter } from './message-writer.js';
import { messagesFrameHandler } from './messages.socket.js';

declare module 'fastify' {
  interface FastifyInstance {
    messages: MessagesRepository;
    writer: MessageWriter;
  }
}

/** Messages: the repository, the group-commit writer, the `messages` frame (P2), and the message actions among the ops (X1–X3). */
export default fp(
  async (app) => {
    const messages = createMessagesRepository(app.db);
    const writer = new MessageWriter(messages, (stored) => app.fanout.remember(stored), app.log);
    app.decorate('messages', messages);
    app.decorate('writer', writer);
    app.frames.register('messages', messagesFrameHandler(app));
    app.ops.register(messageOps);
    // Let in-flight batches commit and be acked before the pool closes.
    app.addHook('preClose', async () => writer.drain());
  },
  { name: 'messages', dependencies: ['db', 'realtime', 'rooms'] },
);
