import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyBaseLogger } from 'fastify';
import { settleChatSocket, type SocketRates } from './realtime/chat-socket.js';
import { DEFAULT_ABUSE_LIMITS, type AbuseLimits } from './realtime/connection-limits.js';
import type { PresenceTimings } from './live/presence.js';
import { redactUrl } from './logger.js';
import { CloseCode, ErrorCode, MAX_FRAME_BYTES, SOCKET_SUBPROTOCOL } from './protocol/index.js';
import authPlugin from './identity/auth.plugin.js';
import realtimePlugin from './realtime/realtime.plugin.js';
import messagesPlugin from './messages/messages.plugin.js';
import roomsPlugin from './rooms/rooms.plugin.js';
import livePlugin from './live/live.plugin.js';
import receiptsPlugin from './receipts/receipts.plugin.js';
import receiptsRoutes from './receipts/receipts.routes.js';
import roomsRoutes from './rooms/rooms.routes.js';
import usersRoutes from './identity/users.routes.js';
import requestLimitsPlugin from './identity/request-limits.plugin.js';
import revocationPlugin from './identity/revocation.plugin.js';
import clientPlugin from './plugins/client.plugin.js';
import dbPlugin from './infra/db.plugin.js';
import docsPlugin from './plugins/docs.plugin.js';
import securityPlugin from './plugins/security.plugin.js';
import chatWsRoutes from './realtime/chat-ws.routes.js';
import healthRoutes from './infra/health.routes.js';
import messagesRoutes from './messages/messages.routes.js';
import messageActionsRoutes from './messages/message-actions.routes.js';
import sessionRoutes from './identity/session.routes.js';
import mediaPlugin, { type MediaPluginOptions } from './media/media.plugin.js';
import mediaRoutes from './media/media.routes.js';
import uploadsRoutes from './media/uploads.routes.js';
import searchPlugin from './search/search.plugin.js';
import searchRoutes from './search/search.routes.js';

export interface AppOptions {
  databaseUrl: string;
  /** TOKEN_SECRET; absent: the secret shared through the database (server/identity/token-secret.ts). */
  tokenSecret?: string;
  /** Where earlier releases kept the generated secret, adopted by a database that has none yet. */
  legacyTokenSecretFile?: string;
  clientDir: string;
  /** Absent: no logging (tests). */
  logger?: FastifyBaseLogger;
  /** Origins besides the server's own that may open sockets (e.g. a dev server). */
  allowedOrigins?: readonly string[];
  /** Behind a load balancer: take the client address from X-Forwarded-For. */
  trustProxy?: boolean;
  /** Per-socket rate limits, where the defaults do not fit (load tests). */
  socketRates?: Partial<SocketRates>;
  /** Per-address and per-user limits (sockets, connects, REST), where the defaults do not fit. */
  limits?: Partial<AbuseLimits>;
  /** L1's heartbeat, dead-instance TTL and offline grace, where the defaults do not fit (tests). */
  presence?: Partial<PresenceTimings>;
  /** Files (F1–F5): storage, limits, TTL; absent dataDir: a temporary directory (tests). */
  media?: MediaPluginOptions;
  /** Q1: SEARCH_LANGUAGE, the text-search configuration of message search; absent: english. */
  searchLanguage?: string;
}

/** How long shutdown waits for clients to answer the close frame before cutting them off. */
const CLOSE_HANDSHAKE_MS = 2_000;

/** REST sends carry the same batches as frames (P10). */
const BODY_LIMIT_BYTES = MAX_FRAME_BYTES;

/**
 * Ajv's coercion turns the strings "Infinity", "-Infinity" and "1e400" into
 * ±Infinity and then skips minimum/maximum (they only run on finite numbers),
 * so `?before_seq=Infinity` passed as an integer and failed in the database
 * (a 503). Coerced parts (query string, params, headers) are flat objects, so
 * the top level is all there is to check.
 */
function rejectNonFinite(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    if (!validate(data, context)) {
      wrapped.errors = validate.errors;
      return false;
    }
    const values = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    const key = Object.keys(values).find((k) => typeof values[k] === 'number' && !Number.isFinite(values[k]));
    wrapped.errors = key === undefined ? null : [{ instancePath: `/${key}`, schemaPath: '#/type', keyword: 'type', params: {}, message: 'must be a finite number' }];
    return key === undefined;
  }) as ValidateFunction;
  // Fastify hands Ajv validators (recognised by schemaEnv) the parent object so that coercion sticks.
  return Object.assign(wrapped, { schema: validate.schema, schemaEnv: validate.schemaEnv });
}

/**
 * Bodies are validated strictly (a number is not a string), while query
 * strings, which are always text, are coerced to the declared types.
 */
function createValidators() {
  const common = { allErrors: false, useDefaults: true, removeAdditional: true } as const;
  const strict = addFormats.default(new Ajv.default({ ...common, coerceTypes: false }));
  const coercing = addFormats.default(new Ajv.default({ ...common, coerceTypes: 'array' }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    httpPart === 'body' ? strict.compile(schema) : rejectNonFinite(coercing.compile(schema));
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: 'idle',
    trustProxy: options.trustProxy ?? false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(createValidators());

  // Errors share the P8 shape: {type: "error", code, message}.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.validation) {
      return reply.code(400).send({ type: 'error', code: 'invalid_request', message: error.message });
    }
    if (status >= 500) {
      request.log.error({ err: error, url: redactUrl(request.url) }, 'request failed');
      return reply.code(503).send({ type: 'error', code: ErrorCode.Unavailable, message: 'the server could not complete the request; try again' });
    }
    return reply.code(status).send({ type: 'error', code: error.code ?? 'bad_request', message: error.message });
  });

  // External plugins first, then the app's own, then routes.
  await app.register(dbPlugin, { databaseUrl: options.databaseUrl });
  await app.register(websocket, {
    options: {
      maxPayload: MAX_FRAME_BYTES,
      // P1: a client that offers subprotocols (the app: `whisper` and its
      // token) gets `whisper` back; one offering only others is refused.
      handleProtocols: (offered: Set<string>) => (offered.has(SOCKET_SUBPROTOCOL) ? SOCKET_SUBPROTOCOL : false),
    },
    // Drain before closing: let queued batches commit and be acked, then tell
    // clients to go elsewhere (1001) rather than leaving them to time out.
    preClose: async function () {
      const clients = [...app.websocketServer.clients];
      await Promise.all(clients.map(settleChatSocket));
      for (const client of clients) client.close(CloseCode.GoingAway, 'server shutting down');
      // A peer that never answers the close handshake must not hold up the shutdown.
      await Promise.race([
        Promise.all(clients.map((client) => (client.readyState === client.CLOSED ? undefined : new Promise((resolve) => client.once('close', resolve))))),
        new Promise((resolve) => setTimeout(resolve, CLOSE_HANDSHAKE_MS)),
      ]);
      for (const client of clients) client.terminate();
      await new Promise<void>((resolve) => app.websocketServer.close(() => resolve()));
    },
  });
  await app.register(securityPlugin);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      type: 'error',
      code: ErrorCode.RateLimited,
      message: `too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
  await app.register(docsPlugin);
  await app.register(authPlugin, { fromEnv: options.tokenSecret, legacyFile: options.legacyTokenSecretFile });
  const limits: AbuseLimits = { ...DEFAULT_ABUSE_LIMITS, ...options.limits };
  await app.register(requestLimitsPlugin, { limits });
  await app.register(realtimePlugin, { databaseUrl: options.databaseUrl, socketRates: options.socketRates, limits });
  await app.register(revocationPlugin);
  // The domains: each registers its frame handlers with the realtime plugin,
  // and its ops with the op runner, which rooms owns (so rooms comes first).
  await app.register(roomsPlugin);
  await app.register(mediaPlugin, options.media ?? {});
  await app.register(messagesPlugin);
  await app.register(livePlugin, { presence: options.presence });
  await app.register(receiptsPlugin);
  await app.register(searchPlugin, { language: options.searchLanguage });

  await app.register(healthRoutes);
  await app.register(sessionRoutes, { limits });
  await app.register(messagesRoutes, { limits });
  await app.register(messageActionsRoutes);
  await app.register(usersRoutes);
  await app.register(roomsRoutes);
  await app.register(receiptsRoutes);
  await app.register(uploadsRoutes);
  await app.register(mediaRoutes);
  await app.register(searchRoutes);
  await app.register(chatWsRoutes, { allowedOrigins: options.allowedOrigins ?? [] });
  await app.register(clientPlugin, { clientDir: options.clientDir });

  return app;
}
