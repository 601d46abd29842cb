import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorCode, USERS_PATH } from '../protocol/index.js';
import { ErrorFrameSchema, UsersQuerySchema, UsersResponseSchema } from '../protocol/schemas.js';
import { MAX_USER_LOOKUP } from './users-repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** People, by name (the member picker) or by id (names for the ids a client sees). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    USERS_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['people'],
        summary: 'Find people by name (query), or look up names by id (ids)',
        security: [{ bearer: [] }],
        querystring: UsersQuerySchema,
        response: { 200: UsersResponseSchema, 400: ErrorFrameSchema, 401: ErrorFrameSchema, 429: ErrorFrameSchema },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { query, ids } = request.query;
      if (ids !== undefined) {
        const list = ids.split(',').filter(Boolean);
        if (list.length > MAX_USER_LOOKUP || !list.every((id) => UUID.test(id))) {
          return reply.code(400).send({ type: 'error', code: ErrorCode.InvalidRequest, message: `ids: at most ${MAX_USER_LOOKUP} user ids, comma-separated` });
        }
        return { data: await app.users.byIds(list.map((id) => id.toLowerCase())) };
      }
      const text = (query ?? '').trim();
      return { data: text === '' ? [] : await app.users.search(text, userId) };
    },
  );
};

export default routes;
