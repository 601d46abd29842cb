import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { errorResponses } from '../infra/http-errors.js';
import { UnauthorizedError } from '../identity/auth.plugin.js';
import { ErrorCode, MEDIA_PATH } from '../protocol/index.js';
import { MediaParamsSchema, MediaQuerySchema, MediaUrlResponseSchema } from '../protocol/schemas.js';
import type { MediaRow } from './media-repository.js';
import type { ByteRange } from './media-store.js';

/** A signed URL's token says what it is for, so it can never pass as a session token (which needs `sub`). */
const MEDIA_TOKEN_TYPE = 'media';
/** Media never change under their id (a new upload is a new id), so a browser may keep them. */
const CACHE_CONTROL = 'private, max-age=31536000, immutable';
const THUMB_MIME = 'image/webp';

interface MediaTokenClaims {
  typ: typeof MEDIA_TOKEN_TYPE;
  /** The media id. */
  mid: string;
  /** Who it was issued to: their access is checked again on every use (M3). */
  uid: string;
}

/** A single `bytes=a-b` (or `a-`, `-n`) range within size; null for none or one this does not serve whole. */
function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}

const notFound = (reply: FastifyReply) => reply.code(404).send({ type: 'error', code: ErrorCode.NotFound, message: 'no such media' });

/**
 * F3, M3: processed media, served only to the uploader and to people who can
 * read a room where a message carries it; to anyone else 404, the same as
 * for an id that does not exist.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { media } = app;

  /** The caller: a signed URL's token for this very media, or the bearer token. */
  async function caller(request: FastifyRequest, mediaId: string, token: string | undefined): Promise<string> {
    if (token === undefined) return (await app.authenticate(request)).userId;
    try {
      const claims = app.jwt.verify<MediaTokenClaims>(token);
      if (claims.typ === MEDIA_TOKEN_TYPE && claims.mid === mediaId && typeof claims.uid === 'string') return claims.uid;
    } catch {
      // Expired, forged or not ours: the same answer as a wrong one.
    }
    throw new UnauthorizedError('the media link has expired or is not valid; ask for a new one');
  }

  app.get(
    `${MEDIA_PATH}/:id`,
    {
      schema: {
        tags: ['files'],
        summary: 'F3: a photo or voice note (or a photo\'s thumbnail)',
        description:
          'With the bearer token, or `?token=` from GET /v1/media/{id}/url (for `<img src>`). `?variant=thumb`: a 320 px wide WebP of a photo. Served with the type its magic bytes gave (F4), `X-Content-Type-Options: nosniff`, `Content-Disposition: inline`, immutable caching and an ETag; `Range` gives 206. M3: 404 unless you uploaded it, can read a room where a message carries it, or it is someone\'s profile picture (A5: anyone signed in may see those).',
        security: [{ bearer: [] }, {}],
        params: MediaParamsSchema,
        querystring: MediaQuerySchema,
        response: {
          200: Type.Unknown({ description: 'The bytes' }),
          206: Type.Unknown({ description: 'The requested range of the bytes' }),
          304: Type.Null({ description: 'Not modified (If-None-Match)' }),
          ...errorResponses(401, 404),
          416: Type.Null({ description: 'Range not satisfiable' }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const userId = await caller(request, id, request.query.token);
      const row: MediaRow | null = await media.repository.visibleMedia(userId, id);
      const thumb = request.query.variant === 'thumb';
      if (!row || (thumb && row.thumb_key === null)) return notFound(reply);
      const key = thumb ? row.thumb_key! : row.storage_key;
      const size = thumb ? row.thumb_size! : row.size;
      const etag = `"${id}${thumb ? '-thumb' : ''}"`;
      reply
        .header('Content-Type', thumb ? THUMB_MIME : row.mime)
        .header('X-Content-Type-Options', 'nosniff')
        .header('Content-Disposition', 'inline')
        .header('Cache-Control', CACHE_CONTROL)
        .header('ETag', etag)
        .header('Accept-Ranges', 'bytes');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      const range = parseRange(request.headers.range, size);
      if (range === 'unsatisfiable') return reply.code(416).header('Content-Range', `bytes */${size}`).send();
      if (range === null) return reply.header('Content-Length', size).send(await media.store.get(key));
      return reply
        .code(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
        .header('Content-Length', range.end - range.start + 1)
        .send(await media.store.get(key, range));
    },
  );

  app.get(
    `${MEDIA_PATH}/:id/url`,
    {
      schema: {
        tags: ['files'],
        summary: 'F3: a short-lived signed URL for a photo or voice note',
        description: `For \`<img src>\` and \`<audio src>\`, which cannot send the Authorization header. The URL works for ${media.signedUrlTtlMs / 60_000} minutes (add \`&variant=thumb\` for the thumbnail). M3: 404 unless you may see the media.`,
        security: [{ bearer: [] }],
        params: MediaParamsSchema,
        response: { 200: MediaUrlResponseSchema, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { id } = request.params;
      if (!(await media.repository.visibleMedia(userId, id))) return notFound(reply);
      const claims: MediaTokenClaims = { typ: MEDIA_TOKEN_TYPE, mid: id, uid: userId };
      const token = app.jwt.sign(claims, { expiresIn: Math.max(1, Math.round(media.signedUrlTtlMs / 1000)) });
      const expiresAt = new Date(Date.now() + media.signedUrlTtlMs).toISOString();
      return { url: `${MEDIA_PATH}/${id}?token=${encodeURIComponent(token)}`, expires_at: expiresAt };
    },
  );
};

export default routes;
