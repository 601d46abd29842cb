import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { CHAT_WS_PATH, ErrorCode, SOCKET_TOKEN_PREFIX } from '../protocol/index.js';
import type { IssuedIdentity } from '../identity/auth.plugin.js';
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

/**
 * The token a browser sends in the subprotocol list (`whisper`, then
 * `whisper.token.<token>`): unlike `?token=`, it stays out of URLs, so out
 * of access logs, proxies and the console's connection errors.
 */
function subprotocolToken(request: FastifyRequest): string | undefined {
  const offered = request.headers['sec-websocket-protocol'];
  if (typeof offered !== 'string') return undefined;
  const entry = offered.split(',').map((part) => part.trim()).find((part) => part.startsWith(SOCKET_TOKEN_PREFIX));
  return entry?.slice(SOCKET_TOKEN_PREFIX.length);
}

/** Identities resolved before the upgrade (a database read), for the socket handler. */
const identities = new WeakMap<FastifyRequest['raw'], IssuedIdentity | null>();

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
        // Resolved here, before the upgrade: once the socket is open its
        // frames must find their handlers attached at once.
        const token = subprotocolToken(request) ?? (request.query as { token?: string }).token;
        identities.set(request.raw, await app.socketIdentity(token, request.headers['user-agent']));
      },
      schema: {
        tags: ['socket'],
        summary: 'The chat socket: every frame both ways',
        description: SOCKET_PROTOCOL_DESCRIPTION,
        querystring: Type.Object({
          token: Type.Optional(
            Type.String({ description: 'From POST /v1/session or an earlier hello (seed-style clients); the app sends it as the subprotocol `whisper.token.<token>` beside `whisper` instead. Neither: a new identity' }),
          ),
        }),
        response: {
          101: Type.Null({ description: 'Switching Protocols: the frames described above follow, starting with `hello`' }),
          403: ErrorFrameSchema,
          429: ErrorFrameSchema,
        },
      },
    },
    (socket, request) =>
      handleChatSocket(app, socket, {
        identity: identities.get(request.raw) ?? null,
        ip: request.ip,
        stream: request.raw.socket,
        log: request.log,
      }),
  );
};

export default routes;
