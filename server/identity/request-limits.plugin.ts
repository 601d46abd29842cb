import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../protocol/index.js';
import { bearerToken } from './auth.plugin.js';
import type { AbuseLimits } from '../realtime/connection-limits.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: USER_REQUESTS_PER_MINUTE, one budget per user over every route that uses it. */
    userRequestLimit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** A 429 answered with the error frame of the rate-limit plugin's own refusals. */
export class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = ErrorCode.RateLimited;
}

/**
 * The key a per-user REST limit counts under: the user of a valid bearer
 * token, so one person on a school's or a carrier's address cannot use up
 * everyone else's budget; a request without one (a 401 anyway) counts
 * against its address.
 */
export function userOrAddressKey(app: FastifyInstance): (request: FastifyRequest) => string {
  return (request) => {
    const token = bearerToken(request);
    const identity = token === undefined ? null : app.verifyToken(token);
    return identity ? `user:${identity.userId}` : `address:${request.ip}`;
  };
}

/**
 * An onRequest hook from a limiter made with `app.createRateLimit`: a
 * request over the limit gets 429 with Retry-After, in the rate-limit
 * plugin's own error shape. `over` says whose limit it was.
 */
export function refuseOverLimit(check: ReturnType<FastifyInstance['createRateLimit']>, over: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const verdict = await check(request);
    if (verdict.isAllowed || !verdict.isExceeded) return;
    reply.header('retry-after', verdict.ttlInSeconds);
    throw new RateLimitedError(`too many requests${over}; retry in ${verdict.ttlInSeconds} s`);
  };
}

/**
 * One per-user budget shared by the routes on rooms, DMs and people (a
 * route's own `config.rateLimit` would count each route apart).
 */
export default fp<{ limits: AbuseLimits }>(
  async (app, { limits }) => {
    const check = app.createRateLimit({ max: limits.userRequestsPerMinute, timeWindow: '1 minute', keyGenerator: userOrAddressKey(app) });
    app.decorate('userRequestLimit', refuseOverLimit(check, ''));
  },
  { name: 'request-limits', dependencies: ['auth'] },
);
