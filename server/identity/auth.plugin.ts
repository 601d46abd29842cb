import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BOT_USER_ID } from '../protocol/index.js';
import { createAccountsRepository, type AccountsRepository } from './accounts-repository.js';
import { createSessionsRepository, type SessionsRepository } from './sessions-repository.js';
import { loadTokenSecret, type TokenSecretSources } from './token-secret.js';
import { createUsersRepository, type UsersRepository } from './users-repository.js';

export interface Identity {
  userId: string;
  /** The device session the token names; absent in tokens from before sessions (anonymous identities only). */
  sessionId?: string;
}

/** An identity with a token to hand to its holder. */
export interface IssuedIdentity {
  userId: string;
  sessionId: string;
  token: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** P1: a new anonymous identity with its first device session. */
    newIdentity(device?: string): Promise<IssuedIdentity>;
    /**
     * Runs `hook` for every identity created from now on, after its users
     * row and before its first token exists: an identity anyone holds has
     * been through every hook (the bot's greeting, B1). A hook that fails
     * fails the creation; the client asks again.
     */
    onIdentityCreated(hook: (userId: string) => Promise<void>): void;
    /** A token for a session of the user. */
    issueToken(userId: string, sessionId: string): string;
    /** The identity a token was signed for, or null when it is not ours (signature and shape only; see activeIdentity). */
    verifyToken(token: string): Identity | null;
    /** The identity of a token that is ours and whose session is not revoked (A4), or null. */
    activeIdentity(token: string): Promise<Identity | null>;
    /**
     * P1, A4: a socket's identity and the token its hello hands out: a new
     * identity without a token, the same session renewed, or for a token from
     * before sessions (anonymous only) a session of its own. null: refused.
     */
    socketIdentity(token: string | undefined, device?: string): Promise<IssuedIdentity | null>;
    /** REST auth: `Authorization: Bearer <token>`; 401 when missing, not ours, or logged out. */
    authenticate(request: FastifyRequest): Promise<Identity>;
    /** People: names and colours (A5). */
    users: UsersRepository;
    accounts: AccountsRepository;
    sessions: SessionsRepository;
  }
}

/**
 * Tokens are long-lived because the identity is all an anonymous user has;
 * every socket hello hands out a fresh one, so an active user never expires.
 * Logging out does not wait for expiry: the token names its session, and a
 * revoked session is refused at once (A4).
 */
const TOKEN_LIFETIME = '365d';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UnauthorizedError extends Error {
  readonly statusCode = 401;
  readonly code = 'invalid_token';
}

/** The bearer token of a request, if it has one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

export default fp<TokenSecretSources>(
  async (app, sources) => {
    const secret = await loadTokenSecret(app.db, sources);
    await app.register(fastifyJwt, {
      secret,
      sign: { algorithm: 'HS256', expiresIn: TOKEN_LIFETIME },
      verify: { algorithms: ['HS256'] },
    });
    const users = createUsersRepository(app.db);
    const accounts = createAccountsRepository(app.db);
    const sessions = createSessionsRepository(app.db);
    const identityHooks: ((userId: string) => Promise<void>)[] = [];

    const issueToken = (userId: string, sessionId: string) => app.jwt.sign({ sub: userId, sid: sessionId });
    const verifyToken = (token: string): Identity | null => {
      try {
        const { sub, sid } = app.jwt.verify<{ sub?: unknown; sid?: unknown }>(token);
        if (typeof sub !== 'string' || !UUID_PATTERN.test(sub)) return null;
        if (sid === undefined) return { userId: sub };
        return typeof sid === 'string' && UUID_PATTERN.test(sid) ? { userId: sub, sessionId: sid } : null;
      } catch {
        return null;
      }
    };
    async function activeIdentity(token: string): Promise<Identity | null> {
      const identity = verifyToken(token);
      // B1: the bot is nobody's identity, whatever a token says.
      if (!identity || identity.userId === BOT_USER_ID) return null;
      // A token from before sessions proves an anonymous identity only: once
      // it is an account, only session tokens (revocable) are accepted.
      const active = identity.sessionId ? await sessions.isActive(identity.userId, identity.sessionId) : await accounts.isAnonymous(identity.userId);
      return active ? identity : null;
    }
    async function newIdentity(device?: string): Promise<IssuedIdentity> {
      const userId = randomUUID();
      // A profile from the start, so others can find and add them by name (A5).
      await users.ensure(userId);
      for (const hook of identityHooks) await hook(userId);
      const sessionId = await sessions.open(userId, device);
      return { userId, sessionId, token: issueToken(userId, sessionId) };
    }

    app.decorate('users', users);
    app.decorate('accounts', accounts);
    app.decorate('sessions', sessions);
    app.decorate('issueToken', issueToken);
    app.decorate('verifyToken', verifyToken);
    app.decorate('activeIdentity', activeIdentity);
    app.decorate('newIdentity', newIdentity);
    app.decorate('onIdentityCreated', (hook: (userId: string) => Promise<void>) => void identityHooks.push(hook));
    app.decorate('socketIdentity', async (token: string | undefined, device?: string) => {
      if (token === undefined || token === '') return newIdentity(device);
      const identity = await activeIdentity(token);
      if (!identity) return null;
      let sessionId = identity.sessionId;
      if (sessionId) await sessions.touch(sessionId);
      else {
        // From before sessions (and maybe before profiles): its own session from now on.
        await users.ensure(identity.userId);
        sessionId = await sessions.open(identity.userId, device);
      }
      return { userId: identity.userId, sessionId, token: issueToken(identity.userId, sessionId) };
    });
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = bearerToken(request);
      const identity = token === undefined ? null : await activeIdentity(token);
      if (!identity) throw new UnauthorizedError('a valid bearer token is required (POST /v1/session)');
      return identity;
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
