import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../infra/http-errors.js';
import { OpName, ROOMS_PATH } from '../protocol/index.js';
import { ReadBodySchema, ReadResponseSchema, RoomParamsSchema } from '../protocol/schemas.js';
import { IdempotencyHeadersSchema, idempotencyKey, sendRefusal } from '../rooms/op-twins.js';

/** P12: the REST twin of the `read` op, seed 001's "mark chat as read". */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    `${ROOMS_PATH}/:id/read`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'read: mark the room as read up to a seq (L3)',
        description:
          'Moves your read marker forward to `seq` (a seq past the room\'s end counts as its end); a marker never moves back, so an older seq changes nothing and still answers 200 with where it stands. Your other devices and, in a DM or group, the other members hear it (`receipts`). 404 `unknown_room` for a room that does not exist and for one you are not in, alike (M3).',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        params: RoomParamsSchema,
        body: ReadBodySchema,
        response: { 200: ReadResponseSchema, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const roomId = request.params.id;
      const outcome = await app.ops.apply(userId, { client_id: idempotencyKey(request, request.body), op: OpName.Read, room_id: roomId, seq: request.body.seq });
      if (outcome.status === 'refused') return sendRefusal(reply, outcome);
      return { room_id: roomId, read_seq: outcome.seq };
    },
  );
};

export default routes;
