import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ACCOUNTS_PATH, ErrorCode, ME_PATH, MediaKind, SESSION_PATH, SESSIONS_PATH } from '../protocol/index.js';
import type { AbuseLimits } from '../realtime/connection-limits.js';
import {
  AccountResponseSchema,
  CredentialsBodySchema,
  ErrorFrameSchema,
  MeSchema,
  PatchMeBodySchema,
  SessionBodySchema,
  SessionResponseSchema,
} from '../protocol/schemas.js';
import { errorResponses } from '../infra/http-errors.js';
import { bearerToken } from './auth.plugin.js';
import { checkPassword, hashPassword, passwordProblem } from './passwords.js';
import { RateLimitedError } from './request-limits.plugin.js';

const PER_MINUTE = '1 minute';
/** The window over which failed logins on one username are counted (A3; LOGINS_PER_USERNAME per window). */
const LOGIN_WINDOW_SECONDS = 15 * 60;

const errors = errorResponses(400, 401, 409, 429);

/** The device a session is for: what its browser says it is. */
const deviceOf = (request: FastifyRequest) => request.headers['user-agent'];

/**
 * Identity: anonymous sessions (P1), accounts (A1), login (A2), logout (A4)
 * and the user's own profile (A5).
 *
 * New identities and logins are limited per address, sized for the crowd
 * behind a shared address (connection-limits.ts); logins are also limited
 * per username, so a password cannot be guessed from many addresses.
 */
const routes: FastifyPluginAsyncTypebox<{ limits: AbuseLimits }> = async (app, { limits }) => {
  /** A3: held back after too many failures on this username (from any address, on any instance). */
  async function holdBackUsername(username: string, reply: FastifyReply) {
    const wait = await app.accounts.loginWait(username, limits.loginsPerUsername, LOGIN_WINDOW_SECONDS);
    if (wait <= 0) return;
    reply.header('retry-after', wait);
    throw new RateLimitedError(`too many failed attempts for this username; retry in ${Math.ceil(wait / 60)} min`);
  }
  const invalidCredentials = (reply: FastifyReply) =>
    reply.code(401).send({ type: 'error', code: ErrorCode.InvalidCredentials, message: 'wrong username or password' });

  app.post(
    SESSION_PATH,
    {
      config: { rateLimit: { max: limits.sessionsPerMinute, timeWindow: PER_MINUTE } },
      schema: {
        tags: ['identity'],
        summary: 'P1: a new anonymous identity, or A2: log in',
        description:
          'Without a body: a random user id and a token signed by the server (an anonymous identity). With `{username, password}`: logs in on this device, a new session of that user (401 `invalid_credentials` for an unknown username and a wrong password alike). Use the token as `Authorization: Bearer` and on the socket.',
        body: SessionBodySchema,
        response: { 200: SessionResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body?.username === undefined && body?.password === undefined) {
        const { userId, token } = await app.newIdentity(deviceOf(request));
        return { user_id: userId, token };
      }
      if (body.username === undefined || body.password === undefined) {
        return reply.code(400).send({ type: 'error', code: ErrorCode.InvalidRequest, message: 'log in with both username and password, or send neither for a new identity' });
      }
      const username = body.username.toLowerCase();
      await holdBackUsername(username, reply);
      const account = await app.accounts.credentials(username);
      // An unknown user costs the same time as a wrong password (checkPassword).
      if (!(await checkPassword(account?.passwordHash, body.password)) || !account) {
        await app.accounts.noteLoginFailure(username, LOGIN_WINDOW_SECONDS);
        return invalidCredentials(reply);
      }
      await app.accounts.clearLoginFailures(username);
      const sessionId = await app.sessions.open(account.userId, deviceOf(request));
      return { user_id: account.userId, token: app.issueToken(account.userId, sessionId) };
    },
  );

  app.post(
    ACCOUNTS_PATH,
    {
      config: { rateLimit: { max: limits.sessionsPerMinute, timeWindow: PER_MINUTE } },
      schema: {
        tags: ['identity'],
        summary: 'A1: sign up, or turn this anonymous identity into an account',
        description:
          'With the bearer token of an anonymous identity: that identity claims the username and password, keeping its user id, rooms, history and unsent work; the answer carries a new token (a session of the account) and the old one keeps working on this device until logout. Without a token: a new account. 409 `username_taken`; 400 `weak_password` (under 8 characters, among the most common passwords, or containing the username); 409 `conflict` when the identity already has an account.',
        security: [{}, { bearer: [] }],
        body: CredentialsBodySchema,
        response: { 201: AccountResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const username = request.body.username.toLowerCase();
      const problem = passwordProblem(request.body.password, username);
      if (problem) return reply.code(400).send({ type: 'error', code: ErrorCode.WeakPassword, message: problem });
      const signedIn = bearerToken(request) !== undefined ? await app.authenticate(request) : null;
      const userId = signedIn?.userId ?? (await app.newIdentity(deviceOf(request))).userId;
      const outcome = await app.accounts.claim(userId, username, await hashPassword(request.body.password));
      if (outcome === 'taken') return reply.code(409).send({ type: 'error', code: ErrorCode.UsernameTaken, message: 'this username is taken' });
      if (outcome === 'already') return reply.code(409).send({ type: 'error', code: ErrorCode.Conflict, message: 'this identity already has an account; log out to create another' });
      // The device's session goes on (its token from before sessions, if any, stops working now that this is an account).
      const sessionId = signedIn?.sessionId ?? (await app.sessions.open(userId, deviceOf(request)));
      return reply.code(201).send({ user_id: userId, token: app.issueToken(userId, sessionId), username });
    },
  );

  app.delete(
    SESSION_PATH,
    {
      schema: {
        tags: ['identity'],
        summary: 'A4: log out this device',
        description: 'Revokes the session of the bearer token: from now on it gets 401 and its sockets close with 4401, on every instance. The user\'s other devices stay logged in.',
        security: [{ bearer: [] }],
        response: { 204: Type.Null({ description: 'Logged out' }), 401: ErrorFrameSchema },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = await app.authenticate(request);
      // A token from before sessions: every such token of this anonymous identity goes.
      if (sessionId) await app.sessions.revoke(userId, sessionId);
      else await app.sessions.revokeAll(userId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    SESSIONS_PATH,
    {
      schema: {
        tags: ['identity'],
        summary: 'A4: log out everywhere',
        description: 'Revokes every session of the user, this one included.',
        security: [{ bearer: [] }],
        response: { 204: Type.Null({ description: 'Logged out on every device' }), 401: ErrorFrameSchema },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      await app.sessions.revokeAll(userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    ME_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['identity'],
        summary: 'A5: your account and profile',
        security: [{ bearer: [] }],
        response: { 200: MeSchema, 401: ErrorFrameSchema, 429: ErrorFrameSchema },
      },
    },
    async (request) => app.accounts.me((await app.authenticate(request)).userId),
  );

  app.patch(
    ME_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['identity'],
        summary: 'A5: change your display name or profile picture',
        description:
          '`avatar_upload_id`: a finished upload of yours (tus, F2) of an image (JPEG, PNG, WebP or GIF; re-encoded, metadata stripped: F4) becomes your profile picture; `null` removes it. Anyone signed in may fetch a profile picture (GET /v1/media/{id}, `?variant=thumb`), as anyone signed in may find people (GET /v1/users). 404 `not_found` for an upload that is not a finished one of yours; 400 `unsupported_media` for one that is not an image.',
        security: [{ bearer: [] }],
        body: PatchMeBodySchema,
        response: { 200: MeSchema, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { display_name: displayName, avatar_upload_id: uploadId } = request.body;
      const name = displayName?.trim();
      if (name === '') return reply.code(400).send({ type: 'error', code: ErrorCode.InvalidRequest, message: 'display_name: not blank' });
      let avatarMediaId: string | null | undefined = uploadId === null ? null : undefined;
      if (uploadId) {
        const upload = (await app.media.repository.resolveUploads(userId, [uploadId])).get(uploadId);
        if (!upload) {
          return reply.code(404).send({ type: 'error', code: ErrorCode.NotFound, message: 'avatar_upload_id: no finished upload of yours has this id' });
        }
        if (upload.kind !== MediaKind.Image) {
          return reply.code(400).send({ type: 'error', code: ErrorCode.UnsupportedMedia, message: 'avatar_upload_id: a profile picture must be an image (JPEG, PNG, WebP or GIF)' });
        }
        avatarMediaId = upload.id;
      }
      await app.accounts.setProfile(userId, { displayName: name, avatarMediaId });
      return app.accounts.me(userId);
    },
  );
};

export default routes;
