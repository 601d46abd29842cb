import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_ROOM_ID, ErrorCode, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, MESSAGES_PATH } from '../protocol/index.js';
import { refuseOverLimit, userOrAddressKey } from '../identity/request-limits.plugin.js';
import { sendMessages } from './messages-service.js';
import type { AbuseLimits } from '../realtime/connection-limits.js';
import {
  ErrorFrameSchema,
  HistoryQuerySchema,
  HistoryResponseSchema,
  RestSendResponseSchema,
  SendBodySchema,
} from '../protocol/schemas.js';

const PER_MINUTE = '1 minute';

/**
 * REST limits (sizes and reasons: connection-limits.ts). History is read
 * without a token, so it is limited per address only, sized for the crowd
 * behind a shared address. Sends carry a token: each user has a budget of
 * their own, so one sender on a school's address cannot use up everyone
 * else's; a generous per-address cap stays on top. A request without a
 * valid token (401 anyway) counts against its address.
 */
const routes: FastifyPluginAsyncTypebox<{ limits: AbuseLimits }> = async (app, { limits }) => {
  const sendKey = userOrAddressKey(app);
  const sendsFromAddress = refuseOverLimit(
    app.createRateLimit({ max: limits.sendsPerMinute, timeWindow: PER_MINUTE, keyGenerator: (request) => request.ip }),
    ' from this address',
  );

  app.get(
    MESSAGES_PATH,
    {
      config: { rateLimit: { max: limits.historyPerMinute, timeWindow: PER_MINUTE } },
      schema: {
        tags: ['messages'],
        summary: 'P5: message history, paged by seq',
        description:
          `Without cursors: the newest page. \`before_seq\`: the page just older than that seq. \`after_seq\`: the page just newer. Always returned in seq order; a \`limit\` over ${HISTORY_MAX_LIMIT} is read as ${HISTORY_MAX_LIMIT}. The room everyone is in (general) is read without a token, as seed-style clients do; any other room needs the bearer token of a member (M3: 404 for a room that is not yours, whether or not it exists).`,
        security: [{}, { bearer: [] }],
        querystring: HistoryQuerySchema,
        response: { 200: HistoryResponseSchema, 401: ErrorFrameSchema, 404: ErrorFrameSchema },
      },
    },
    async (request, reply) => {
      const { room_id: roomId = DEFAULT_ROOM_ID, after_seq, before_seq, limit = HISTORY_DEFAULT_LIMIT } = request.query;
      const open = request.headers.authorization === undefined && (await app.rooms.openToAll(roomId));
      if (!open) {
        const { userId } = await app.authenticate(request);
        if (!(await app.rooms.visibleHeads(userId, [roomId])).has(roomId)) {
          return reply.code(404).send({ type: 'error', code: ErrorCode.UnknownRoom, message: `room ${JSON.stringify(roomId)} does not exist` });
        }
      }
      const page = await app.messages.history({ roomId, afterSeq: after_seq, beforeSeq: before_seq, limit: Math.min(limit, HISTORY_MAX_LIMIT) });
      return { type: 'messages' as const, data: page.messages, has_more: page.hasMore };
    },
  );

  app.post(
    MESSAGES_PATH,
    {
      config: { rateLimit: { max: limits.userSendsPerMinute, timeWindow: PER_MINUTE, keyGenerator: sendKey } },
      onRequest: sendsFromAddress,
      schema: {
        tags: ['messages'],
        summary: 'P10: send messages without a socket',
        description:
          'The P2 body with a bearer token. Answers the P3 ack for the accepted items (request order) and the P7 rejections; each item is checked on its own, as over the socket. Resending a client_id stores nothing new and returns the original id. 422 when no item was accepted; 503 when the database could not store them (resend).',
        security: [{ bearer: [] }],
        body: SendBodySchema,
        response: { 200: RestSendResponseSchema, 422: RestSendResponseSchema, 401: ErrorFrameSchema, 429: ErrorFrameSchema, 503: ErrorFrameSchema },
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
