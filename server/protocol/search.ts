import Type, { type Static } from 'typebox';
import { MAX_SEARCH_QUERY_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from './constants.js';
import { RoomIdSchema, SeqSchema, TimeSchema, UserIdSchema } from './common.js';

/**
 * Q1: how a hit's `snippet` is written. It is HTML: the message's text
 * around the matches with every character that means something in HTML
 * escaped (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`), and each matching
 * word wrapped in `<mark>`…`</mark>`, the only tags it ever holds. A client
 * may set it as innerHTML, or take the marks apart itself.
 */
export const SNIPPET_FORMAT_DESCRIPTION =
  'HTML-safe excerpt of the message around the matching words: the text is HTML-escaped (& < > " \' as entities) and each match is wrapped in <mark>…</mark>, the only markup it contains. Long messages are cut to a window of words around the best match.';

/** Q1: `GET /v1/search`. */
export const SearchQuerySchema = Type.Object({
  q: Type.String({
    maxLength: MAX_SEARCH_QUERY_LENGTH * 4,
    description: `What to find, in web-search syntax (websearch_to_tsquery): every word must match, in any of its forms (stemmed); "quoted words" as a phrase, \`or\` between alternatives, \`-word\` to exclude. 1–${MAX_SEARCH_QUERY_LENGTH} characters once trimmed.`,
  }),
  room_id: Type.Optional(RoomIdSchema),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `next_cursor` of the previous page, as it was' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: SEARCH_DEFAULT_LIMIT, description: `Larger than ${SEARCH_MAX_LIMIT} reads as ${SEARCH_MAX_LIMIT}` })),
});

/** Q1, E4: one message that matches, as it stands now, with its snippet. */
export const SearchHitSchema = Type.Object({
  id: Type.String({ description: 'Server ULID of the message' }),
  room_id: RoomIdSchema,
  seq: SeqSchema,
  user_id: UserIdSchema,
  content: Type.String({ description: 'The whole message as it stands now (plain text, not escaped)' }),
  created_at: TimeSchema,
  edited_at: Type.Optional(TimeSchema),
  snippet: Type.String({ description: SNIPPET_FORMAT_DESCRIPTION }),
});
export type SearchHit = Static<typeof SearchHitSchema>;

export const SearchResponseSchema = Type.Object({
  data: Type.Array(SearchHitSchema, { description: 'Best match first; equal ranks newest first' }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
});
export type SearchResponse = Static<typeof SearchResponseSchema>;
