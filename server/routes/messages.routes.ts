import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_ROOM_ID, ErrorCode, HISTORY_DEFAULT_LIMIT, MESSAGES_PATH } from '../protocol.js';
import { sendMessages } from '../chat/chat-service.js';
import {
  ErrorResponseSchema,
  HistoryQuerySchema,
  HistoryResponseSchema,
  RestSendResponseSchema,
  SendBodySchema,
} from '../chat/frame-schemas.js';

/**
 * REST requests per address and minute. History paging and service-worker
 * flushes are a few requests a minute; the limit only stops a script.
 */
const HISTORY_REQUESTS_PER_IP_PER_MINUTE = 600;
const SENDS_PER_IP_PER_MINUTE = 300;

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    MESSAGES_PATH,
    {
      config: { rateLimit: { max: HISTORY_REQUESTS_PER_IP_PER_MINUTE, timeWindow: '1 minute' } },
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
      config: { rateLimit: { max: SENDS_PER_IP_PER_MINUTE, timeWindow: '1 minute' } },
      schema: {
        tags: ['messages'],
        summary: 'P10: send messages without a socket',
        description:
          'The P2 body with a bearer token. Answers the P3 ack for the accepted items (request order) and the P7 rejections; each item is checked on its own, as over the socket. Resending a client_id stores nothing new and returns the original id. 422 when no item was accepted; 503 when the database could not store them (resend).',
        security: [{ bearer: [] }],
        body: SendBodySchema,
        response: { 200: RestSendResponseSchema, 422: RestSendResponseSchema, 401: ErrorResponseSchema, 503: ErrorResponseSchema },
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
