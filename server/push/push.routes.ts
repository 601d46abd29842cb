import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses } from '../infra/http-errors.js';
import { ErrorCode, OpName, PUSH_PATH, ROOMS_PATH } from '../protocol/index.js';
import { MuteBodySchema, MuteResponseSchema, PushKeyResponseSchema, PushSubscriptionBodySchema, RoomParamsSchema } from '../protocol/schemas.js';
import { IdempotencyHeadersSchema, idempotencyKey, sendRefusal } from '../rooms/op-twins.js';

const SUBSCRIPTIONS_PATH = `${PUSH_PATH}/subscriptions`;

/** N1: the VAPID key, this device's subscription, and the REST twin of the `mute` op (P12). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    `${PUSH_PATH}/key`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['push'],
        summary: 'N1: the VAPID public key',
        description: "The key to pass as `applicationServerKey` to `pushManager.subscribe`. The same on every instance and across restarts (kept in the database unless VAPID_PUBLIC_KEY is set).",
        security: [{ bearer: [] }],
        response: { 200: PushKeyResponseSchema, ...errorResponses(401, 429) },
      },
    },
    async (request) => {
      await app.authenticate(request);
      return { key: app.push.publicKey };
    },
  );

  app.post(
    SUBSCRIPTIONS_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['push'],
        summary: "N1: subscribe this device to notifications",
        description:
          "The browser's PushSubscription JSON (`subscription.toJSON()`), and `previews` (N2, default false) to have notifications show the start of each message. Kept for this device's session: logging out removes it, and so does the push service answering 404 or 410 (N3). Subscribing the same endpoint again replaces it.",
        security: [{ bearer: [] }],
        body: PushSubscriptionBodySchema,
        response: { 204: Type.Null({ description: 'Subscribed' }), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = await app.authenticate(request);
      // Tokens from before sessions name no device to tie the subscription to; the app's socket hello replaces them.
      if (!sessionId) return reply.code(400).send({ type: 'error', code: ErrorCode.InvalidRequest, message: 'this token names no device session; reconnect to get one' });
      const { endpoint, keys, previews = false } = request.body;
      await app.push.repository.subscribe({ endpoint, userId, sessionId, p256dh: keys.p256dh, auth: keys.auth, previews });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    SUBSCRIPTIONS_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['push'],
        summary: 'N1: unsubscribe this device',
        description: 'The same body as the subscription. Removing one that is not there (or not yours) is not an error.',
        security: [{ bearer: [] }],
        body: PushSubscriptionBodySchema,
        response: { 204: Type.Null({ description: 'Unsubscribed' }), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      await app.push.repository.unsubscribe(userId, request.body.endpoint);
      return reply.code(204).send(null);
    },
  );

  app.put(
    `${ROOMS_PATH}/:id/mute`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'mute: mute or unmute a room for yourself (N1)',
        description:
          'A muted room never notifies (no push), mentions included; it still counts unread. Your other devices learn it from the `muted` field of the room in their next `rooms` frame. 404 `unknown_room` for a room that does not exist and for one you are not in, alike (M3).',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        params: RoomParamsSchema,
        body: MuteBodySchema,
        response: { 200: MuteResponseSchema, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const roomId = request.params.id;
      const { muted } = request.body;
      const outcome = await app.ops.apply(userId, { client_id: idempotencyKey(request, request.body), op: OpName.Mute, room_id: roomId, muted });
      if (outcome.status === 'refused') return sendRefusal(reply, outcome);
      return { room_id: roomId, muted };
    },
  );
};

export default routes;
