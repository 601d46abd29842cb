import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { loadTokenSecret, type TokenSecretSources } from './token-secret.js';
import { createUsersRepository, type UsersRepository } from './users-repository.js';

export interface Identity {
  userId: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** P1: a new anonymous identity, or a fresh token for an existing one. */
    issueToken(userId: string): string;
    newIdentity(): { userId: string; token: string };
    /** The identity a token was signed for, or null when it is not ours. */
    verifyToken(token: string): Identity | null;
    /** REST auth: `Authorization: Bearer <token>`; replies 401 on failure. */
    authenticate(request: FastifyRequest): Promise<Identity>;
    /** People: names and colours (A5). */
    users: UsersRepository;
  }
}

/**
 * Tokens are long-lived because the identity is all an anonymous user has;
 * every socket hello hands out a fresh one, so an active user never expires.
 */
const TOKEN_LIFETIME = '365d';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UnauthorizedError extends Error {
  readonly statusCode = 401;
  readonly code = 'invalid_token';
}

export default fp<TokenSecretSources>(
  async (app, sources) => {
    const secret = await loadTokenSecret(app.db, sources);
    await app.register(fastifyJwt, {
      secret,
      sign: { algorithm: 'HS256', expiresIn: TOKEN_LIFETIME },
      verify: { algorithms: ['HS256'] },
    });

    const issueToken = (userId: string) => app.jwt.sign({ sub: userId });
    const verifyToken = (token: string): Identity | null => {
      try {
        const { sub } = app.jwt.verify<{ sub?: unknown }>(token);
        return typeof sub === 'string' && UUID_PATTERN.test(sub) ? { userId: sub } : null;
      } catch {
        return null;
      }
    };

    app.decorate('users', createUsersRepository(app.db));
    app.decorate('issueToken', issueToken);
    app.decorate('verifyToken', verifyToken);
    app.decorate('newIdentity', () => {
      const userId = randomUUID();
      return { userId, token: issueToken(userId) };
    });
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization ?? '';
      const match = /^Bearer (\S+)$/i.exec(header);
      const identity = match ? verifyToken(match[1]) : null;
      if (!identity) throw new UnauthorizedError('a valid bearer token is required (POST /v1/session)');
      return identity;
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
