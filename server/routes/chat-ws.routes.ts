import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { CHAT_WS_PATH } from '../protocol.js';
import { handleChatSocket } from '../chat/chat-socket.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    CHAT_WS_PATH,
    {
      websocket: true,
      schema: {
        tags: ['messages'],
        summary: 'The chat socket (P1–P4, P6–P9); see README for the frames',
        querystring: Type.Object({ token: Type.Optional(Type.String()) }),
      },
    },
    // The querystring schema above has validated this shape before the upgrade.
    (socket, request) => handleChatSocket(app, socket, (request.query as { token?: string }).token, request.log),
  );
};

export default routes;
