import fp from 'fastify-plugin';
import { DEFAULT_SOCKET_RATES, type SocketRates } from '../chat/chat-socket.js';
import { ConnectionLimits, type AbuseLimits } from '../chat/connection-limits.js';
import { MessageWriter } from '../chat/message-writer.js';
import { PgFanout } from '../chat/pg-fanout.js';
import { RoomHub } from '../chat/room-hub.js';
import { createMessagesRepository, type MessagesRepository } from '../repositories/messages-repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    messages: MessagesRepository;
    hub: RoomHub;
    writer: MessageWriter;
    fanout: PgFanout;
    connectionLimits: ConnectionLimits;
    socketRates: SocketRates;
  }
}

/**
 * The chat domain: repository, group-commit writer, and fan-out: commits are
 * announced through PostgreSQL (S6) and each instance's hub delivers them to
 * its own sockets.
 */
export default fp<{ databaseUrl: string; socketRates?: Partial<SocketRates>; limits?: AbuseLimits }>(
  async (app, { databaseUrl, socketRates, limits }) => {
    app.decorate('socketRates', { ...DEFAULT_SOCKET_RATES, ...socketRates });
    const messages = createMessagesRepository(app.db);
    const hub = new RoomHub();
    const fanout = new PgFanout(databaseUrl, hub, messages, app.log);
    const writer = new MessageWriter(messages, (stored) => fanout.remember(stored), app.log);
    app.decorate('messages', messages);
    app.decorate('hub', hub);
    app.decorate('writer', writer);
    app.decorate('fanout', fanout);
    const connectionLimits = new ConnectionLimits(limits);
    app.decorate('connectionLimits', connectionLimits);
    app.addHook('onClose', async () => connectionLimits.close());
    await fanout.start();
    // Let in-flight batches commit and be acked before the pool closes.
    app.addHook('preClose', async () => {
      await writer.drain();
      await fanout.stop();
    });
  },
  { name: 'chat', dependencies: ['db'] },
);
