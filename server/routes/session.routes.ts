import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SESSION_PATH } from '../protocol.js';
import type { AbuseLimits } from '../chat/connection-limits.js';
import { SessionResponseSchema } from '../chat/frame-schemas.js';

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
      return { user_id: userId, token };
    },
  );
};

export default routes;
