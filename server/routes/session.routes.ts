import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SESSION_PATH } from '../protocol.js';
import { SessionResponseSchema } from '../chat/frame-schemas.js';

/**
 * New identities per address: a person needs one per device; a script
 * minting thousands is trying to dodge per-user limits.
 */
const SESSIONS_PER_IP_PER_MINUTE = 30;

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    SESSION_PATH,
    {
      config: { rateLimit: { max: SESSIONS_PER_IP_PER_MINUTE, timeWindow: '1 minute' } },
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
