import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SESSION_PATH } from '../protocol/index.js';
import type { AbuseLimits } from '../realtime/connection-limits.js';
import { SessionResponseSchema } from '../protocol/schemas.js';

/**
 * New identities per address: a person needs one per device, and thousands
 * of people may share the address (sizes and reasons: connection-limits.ts);
 * a script minting identities by the thousand to dodge per-user limits is
 * held back.
 */
const routes: FastifyPluginAsyncTypebox<{ limits: AbuseLimits }> = async (app, { limits }) => {
  app.post(
    SESSION_PATH,
    {
      config: { rateLimit: { max: limits.sessionsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['identity'],
        summary: 'P1: create an anonymous identity',
        description: 'Returns a random user id and a token signed by the server. Use it as `Authorization: Bearer` and as `?token=` on the socket.',
        response: { 200: SessionResponseSchema },
      },
    },
    async () => {
      const { userId, token } = app.newIdentity();
      // A profile from the start, so others can find and add them by name (A5).
      await app.users.ensure(userId);
      return { user_id: userId, token };
    },
  );
};

export default routes;
