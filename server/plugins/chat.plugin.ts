import fp from 'fastify-plugin';
import { MessageWriter } from '../chat/message-writer.js';
import { RoomHub } from '../chat/room-hub.js';
import { createMessagesRepository, type MessagesRepository } from '../repositories/messages-repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    messages: MessagesRepository;
    hub: RoomHub;
    writer: MessageWriter;
  }
}

/** The chat domain: repository, fan-out hub and group-commit writer. */
export default fp(
  async (app) => {
    const messages = createMessagesRepository(app.db);
    const hub = new RoomHub();
    const writer = new MessageWriter(messages, hub, app.log);
    app.decorate('messages', messages);
    app.decorate('hub', hub);
    app.decorate('writer', writer);
    // Let in-flight batches commit and be acked before the pool closes.
    app.addHook('preClose', async () => {
      await writer.drain();
    });
  },
  { name: 'chat', dependencies: ['db'] },
);
