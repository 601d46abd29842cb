import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { CHAT_WS_PATH, ErrorCode } from '../protocol/index.js';
import { handleChatSocket } from './chat-socket.js';
import { ErrorFrameSchema } from '../protocol/schemas.js';
import { SOCKET_PROTOCOL_DESCRIPTION } from './chat-ws.docs.js';

/**
 * A browser always sends Origin on a WebSocket upgrade, and cookies or not,
 * a page on another site must not open sockets here (cross-site WebSocket
 * hijacking). Clients that send no Origin are not browsers and cannot be
 * tricked into it.
 */
function originAllowed(request: FastifyRequest, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

const routes: FastifyPluginAsyncTypebox<{ allowedOrigins: readonly string[] }> = async (app, { allowedOrigins }) => {
  app.get(
    CHAT_WS_PATH,
    {
      websocket: true,
      // Refused before the upgrade: the browser sees a failed handshake.
      preValidation: async (request, reply) => {
        if (!originAllowed(request, allowedOrigins)) {
          return reply.code(403).send({ type: 'error', code: ErrorCode.ForbiddenOrigin, message: 'this origin may not open a chat socket' });
        }
        const refusal = app.connectionLimits.refusal(request.ip);
        if (refusal) return reply.code(429).send({ type: 'error', code: ErrorCode.RateLimited, message: refusal });
      },
      schema: {
        tags: ['socket'],
        summary: 'The chat socket: every frame both ways',
        description: SOCKET_PROTOCOL_DESCRIPTION,
        querystring: Type.Object({ token: Type.Optional(Type.String({ description: 'From POST /v1/session or an earlier hello; absent: a new identity' })) }),
        response: {
          101: Type.Null({ description: 'Switching Protocols: the frames described above follow, starting with `hello`' }),
          403: ErrorFrameSchema,
          429: ErrorFrameSchema,
        },
      },
    },
    // The querystring schema above has validated this shape before the upgrade.
    (socket, request) =>
      handleChatSocket(app, socket, {
        token: (request.query as { token?: string }).token,
        ip: request.ip,
        stream: request.raw.socket,
        log: request.log,
      }),
  );
};

export default routes;
