import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../infra/http-errors.js';
import { ErrorCode, MAX_SEARCH_QUERY_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, SEARCH_PATH } from '../protocol/index.js';
import { SearchQuerySchema, SearchResponseSchema, SNIPPET_FORMAT_DESCRIPTION } from '../protocol/schemas.js';
import type { SearchCursor } from './search-repository.js';

const MESSAGE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** A real as PostgreSQL prints it (shortest exact form), e.g. 0.1, 1e-05. */
const RANK = /^[0-9][0-9.e+-]{0,30}$/;

/** next_cursor: opaque to clients; base64url of [rank, id] of a page's last hit. */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.rank, cursor.id])).toString('base64url');
}

const REAL_MAX = 3.4e38;
const REAL_MIN_NORMAL = 1.2e-38;
const isReal = (n: number) => Number.isFinite(n) && n >= 0 && n <= REAL_MAX && (n === 0 || n >= REAL_MIN_NORMAL);

export function decodeCursor(value: string): SearchCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString());
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [rank, id] = parsed as unknown[];
    // Ranks are PostgreSQL reals, never negative: anything else was not given out here (and would fail the cast).
    if (typeof rank !== 'string' || !RANK.test(rank) || !isReal(Number(rank))) return null;
    if (typeof id !== 'string' || !MESSAGE_ID.test(id)) return null;
    return { rank, id };
  } catch {
    return null;
  }
}

/** Q1: full-text search over the messages of the caller's rooms. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    SEARCH_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['messages'],
        summary: 'Q1: search the messages of your rooms',
        description:
          `Full-text search (PostgreSQL) over the messages of the rooms you are a member of now, as they stand (an edited message by its new words; deleted ones never). ` +
          `\`q\` is web-search syntax: every word must match in some form of it (English stemming unless the server's SEARCH_LANGUAGE says otherwise: "running" finds "runs"), "a phrase" in quotes, \`or\`, \`-word\` to exclude. ` +
          `A query of stop words only ("the") finds nothing (200, empty). Empty or longer than ${MAX_SEARCH_QUERY_LENGTH} characters: 400. ` +
          `Best match first (ts_rank_cd), equal ranks newest first; pages of \`limit\` (default ${SEARCH_DEFAULT_LIMIT}, at most ${SEARCH_MAX_LIMIT}) continued with \`cursor\` = the previous page's \`next_cursor\`. ` +
          `\`room_id\` narrows to one room: 404 \`unknown_room\` for one you are not in, whether or not it exists (M3). ` +
          `snippet: ${SNIPPET_FORMAT_DESCRIPTION}`,
        security: [{ bearer: [] }],
        querystring: SearchQuerySchema,
        response: { 200: SearchResponseSchema, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { q, room_id: roomId, cursor, limit = SEARCH_DEFAULT_LIMIT } = request.query;
      const text = q.trim();
      const invalid = (message: string) => reply.code(400).send({ type: 'error', code: ErrorCode.InvalidRequest, message });
      if (text === '') return invalid('q: say what to search for');
      if (text.length > MAX_SEARCH_QUERY_LENGTH) return invalid(`q: at most ${MAX_SEARCH_QUERY_LENGTH} characters`);
      if (text.includes('\u0000')) return invalid('q: contains NUL');
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (after === null) return invalid('cursor: not one this server gave out; start again without it');
      if (roomId !== undefined && !(await app.rooms.visibleHeads(userId, [roomId])).has(roomId)) {
        return reply.code(404).send({ type: 'error', code: ErrorCode.UnknownRoom, message: `room ${JSON.stringify(roomId)} does not exist` });
      }
      const page = await app.messageSearch.repository.search({ userId, language: app.messageSearch.language, text, roomId, after, limit: Math.min(limit, SEARCH_MAX_LIMIT) });
      return { data: page.hits, next_cursor: page.next ? encodeCursor(page.next) : null };
    },
  );
};

export default routes;
