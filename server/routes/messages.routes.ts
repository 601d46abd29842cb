import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_ROOM_ID, ErrorCode, HISTORY_DEFAULT_LIMIT, MESSAGES_PATH } from '../protocol.js';
import { sendMessages } from '../chat/chat-service.js';
import type { AbuseLimits } from '../chat/connection-limits.js';
import {
  ErrorResponseSchema,
  HistoryQuerySchema,
  HistoryResponseSchema,
  RestSendResponseSchema,
  SendBodySchema,
} from '../chat/frame-schemas.js';

const PER_MINUTE = '1 minute';

class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = ErrorCode.RateLimited;
}

/**
 * REST limits (sizes and reasons: connection-limits.ts). History is read
 * without a token, so it is limited per address only, sized for the crowd
 * behind a shared address. Sends carry a token: each user has a budget of
 * their own, so one sender on a school's address cannot use up everyone
 * else's; a generous per-address cap stays on top. A request without a
 * valid token (401 anyway) counts against its address.
 */
const routes: FastifyPluginAsyncTypebox<{ limits: AbuseLimits }> = async (app, { limits }) => {
  const sendKey = (request: FastifyRequest) => {
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const identity = token === undefined ? null : app.verifyToken(token);
    return identity ? `user:${identity.userId}` : `address:${request.ip}`;
  };
  const sendsFromAddress = app.createRateLimit({ max: limits.sendsPerMinute, timeWindow: PER_MINUTE, keyGenerator: (request) => request.ip });

  app.get(
    MESSAGES_PATH,
    {
      config: { rateLimit: { max: limits.historyPerMinute, timeWindow: PER_MINUTE } },
      schema: {
        tags: ['messages'],
        summary: 'P5: message history, paged by seq',
        description:
          'Without cursors: the newest page. `before_seq`: the page just older than that seq. `after_seq`: the page just newer. Always returned in seq order.',
        querystring: HistoryQuerySchema,
        response: { 200: HistoryResponseSchema, 404: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const { room_id: roomId = DEFAULT_ROOM_ID, after_seq, before_seq, limit = HISTORY_DEFAULT_LIMIT } = request.query;
      const page = await app.messages.history({ roomId, afterSeq: after_seq, beforeSeq: before_seq, limit });
      if (page.messages.length === 0 && (await app.messages.lastSeq(roomId)) === null) {
        return reply.code(404).send({ type: 'error', code: ErrorCode.UnknownRoom, message: `room ${JSON.stringify(roomId)} does not exist` });
      }
      return { type: 'messages' as const, data: page.messages, has_more: page.hasMore };
    },
  );

  app.post(
    MESSAGES_PATH,
    {
      config: { rateLimit: { max: limits.userSendsPerMinute, timeWindow: PER_MINUTE, keyGenerator: sendKey } },
      onRequest: async (request, reply) => {
        const verdict = await sendsFromAddress(request);
        if (verdict.isAllowed || !verdict.isExceeded) return;
        reply.header('retry-after', verdict.ttlInSeconds);
        throw new RateLimitedError(`too many requests from this address; retry in ${verdict.ttlInSeconds} s`);
      },
      schema: {
        tags: ['messages'],
        summary: 'P10: send messages without a socket',
        description:
          'The P2 body with a bearer token. Answers the P3 ack for the accepted items (request order) and the P7 rejections; each item is checked on its own, as over the socket. Resending a client_id stores nothing new and returns the original id. 422 when no item was accepted; 503 when the database could not store them (resend).',
        security: [{ bearer: [] }],
        body: SendBodySchema,
        response: { 200: RestSendResponseSchema, 422: RestSendResponseSchema, 401: ErrorResponseSchema, 429: ErrorResponseSchema, 503: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { ack, rejected, unavailable } = await sendMessages(app.writer, userId, request.body.data);
      if (unavailable) {
        return reply.code(503).send({ type: 'error', code: ErrorCode.Unavailable, message: 'some messages could not be stored right now; resend them' });
      }
      const body = {
        ...(ack ?? { type: 'message_ids' as const, status: 'success' as const, message_ids: [], client_ids: [], seqs: [] }),
        rejected,
      };
      return reply.code(ack ? 200 : 422).send(body);
    },
  );
};

export default routes;
