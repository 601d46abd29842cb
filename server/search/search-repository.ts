import type pg from 'pg';
import type { SearchHit } from '../protocol/index.js';

/** Where a page ends: the last hit's rank (as PostgreSQL printed the real) and id. */
export interface SearchCursor {
  rank: string;
  id: string;
}

export interface SearchQuery {
  userId: string;
  /** Text-search configuration of messages.search_vector (search-language.ts). */
  language: string;
  text: string;
  /** Only this room; the caller has checked that it is theirs. */
  roomId?: string;
  after?: SearchCursor;
  limit: number;
}

export interface SearchPage {
  hits: SearchHit[];
  /** Where the next page starts, when this one is full and there may be more. */
  next: SearchCursor | null;
}

/**
 * ts_headline marks matches with these; neither can survive into the
 * snippet as text, because they are taken out of the content first. The
 * snippet is escaped as HTML and only then are they turned into <mark>.
 */
const MARK_START = '\u0002';
const MARK_STOP = '\u0003';

/**
 * A window of words around the best match: short chat messages come back
 * whole, long ones cut to about a tweet's worth.
 */
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_STOP}, MaxWords=30, MinWords=12, ShortWord=2`;
/** A message up to a tweet's length comes back whole, every match marked (ts_headline's window may cut even a short one). */
const WHOLE_MESSAGE_CHARS = 280;
const WHOLE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_STOP}, HighlightAll=true`;

/** M3: rooms `$1` is a member of now (general: everyone); never a deleted one. */
const MEMBER_ROOMS = `
  SELECT r.id FROM rooms r
   WHERE r.deleted_at IS NULL
     AND (r.everyone OR EXISTS (SELECT 1 FROM room_members mm WHERE mm.room_id = r.id AND mm.user_id = $1))
     AND ($4::text IS NULL OR r.id = $4)`;

/**
 * Q1. Ranking needs every match (ts_rank_cd over each one's stored vector,
 * then a top-N sort); ts_headline, which parses the text again, runs only on
 * the page's rows. Equal ranks: newest first. Paging is by keyset on
 * (rank, created_at, id), so a page never repeats or skips a hit that stood
 * still in between. A query that websearch_to_tsquery reduces to nothing
 * (only stop words) matches nothing.
 *
 * Two ways to the matches, chosen per query by how many there are. A
 * selective query (a rare word, a phrase, two words) has few matches
 * anywhere: its words alone are looked up in the GIN index and the member
 * rooms filter the few rows. A broad one (a common word: thousands of
 * matches in every room) is looked up with its rooms in the same GIN scan
 * over (room_id, search_vector) (migrations/011), so the table is read only
 * for the person's own matches. The first way is tried with a cap of
 * BROAD_QUERY_MATCHES rows; only past it does the second run (a one-time
 * filter gates it). Either way alone is slow for the other kind: rooms in
 * the scan cost ~40 ms of posting lists even for a phrase with 5 matches;
 * words alone make a common word read 4 rows for each 1 kept (1M messages,
 * a member of 50 rooms of 200: tests/bench/search.ts).
 */
const BROAD_QUERY_MATCHES = 2000;
const MATCH_COLUMNS = 'm.id, m.room_id, m.seq, m.user_id, m.content, m.created_at, m.edited_at, m.search_vector';
const SEARCH = `
  WITH mine AS (SELECT array_agg(r.id) AS ids FROM (${MEMBER_ROOMS}) AS r),
  -- Nothing to look for (only stop words, or only exclusions like \`-word\`,
  -- whose querytree is 'T'): no query, so nothing matches, rather than
  -- every message of every room of the caller ranked.
  query AS (SELECT CASE WHEN querytree(t.q) = 'T' THEN NULL ELSE t.q END AS q FROM (SELECT websearch_to_tsquery($2::regconfig, $3) AS q) t),
  anywhere AS (
    SELECT ${MATCH_COLUMNS} FROM messages m
     WHERE m.search_vector @@ (SELECT q FROM query) AND m.deleted_at IS NULL
    OFFSET 0 LIMIT ${BROAD_QUERY_MATCHES + 1}
  ),
  candidates AS (
    SELECT * FROM anywhere m
     WHERE m.room_id = ANY((SELECT ids FROM mine)::text[])
       AND (SELECT count(*) FROM anywhere) <= ${BROAD_QUERY_MATCHES}
    UNION ALL
    SELECT ${MATCH_COLUMNS} FROM messages m
     WHERE (SELECT count(*) FROM anywhere) > ${BROAD_QUERY_MATCHES}
       AND m.room_id = ANY((SELECT ids FROM mine)::text[])
       AND m.search_vector @@ (SELECT q FROM query)
       AND m.deleted_at IS NULL
  ),
  matches AS (
    SELECT c.id, c.room_id, c.seq, c.user_id, c.content, c.created_at, c.edited_at,
           ts_rank_cd(c.search_vector, (SELECT q FROM query)) AS rank
      FROM candidates c
  ),
  page AS (
    SELECT * FROM matches
     WHERE $5::real IS NULL
        OR (rank, created_at, id) < ($5::real, (SELECT c.created_at FROM messages c WHERE c.id = $6::char(26)), $6::char(26))
     ORDER BY rank DESC, created_at DESC, id DESC
     LIMIT $7
  )
  SELECT p.id, p.room_id, p.seq, p.user_id::text AS user_id, p.content, p.created_at, p.edited_at, p.rank::text AS rank,
         ts_headline($2::regconfig, translate(p.content, $8, ''), websearch_to_tsquery($2::regconfig, $3), CASE WHEN char_length(p.content) <= ${WHOLE_MESSAGE_CHARS} THEN $10 ELSE $9 END) AS headline
    FROM page p
   ORDER BY p.rank DESC, p.created_at DESC, p.id DESC`;

interface HitRow {
  id: string;
  room_id: string;
  seq: number;
  user_id: string;
  content: string;
  created_at: Date;
  edited_at: Date | null;
  rank: string;
  headline: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The snippet's format (protocol/search.ts): escaped text, matches in <mark>. */
export function snippetHtml(headline: string): string {
  return headline
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
    .replaceAll(MARK_START, '<mark>')
    .replaceAll(MARK_STOP, '</mark>');
}

/** "…" where the window ts_headline cut leaves out the message's start or end, as search results show. */
function withEllipses(snippet: string, window: string, content: string): string {
  const text = window.trim();
  const at = text === '' ? -1 : content.indexOf(text);
  if (at < 0) return snippet;
  const before = content.slice(0, at).trim() !== '';
  const after = content.slice(at + text.length).trim() !== '';
  return `${before ? '…' : ''}${snippet.trim()}${after ? '…' : ''}`;
}

function hitOf(row: HitRow): SearchHit {
  const hit: SearchHit = {
    id: row.id,
    room_id: row.room_id,
    seq: row.seq,
    user_id: row.user_id,
    content: row.content,
    created_at: row.created_at.toISOString(),
    snippet: withEllipses(snippetHtml(row.headline), row.headline.replaceAll(MARK_START, '').replaceAll(MARK_STOP, ''), row.content),
  };
  if (row.edited_at !== null) hit.edited_at = row.edited_at.toISOString();
  return hit;
}

export function createSearchRepository(pool: pg.Pool) {
  return {
    async search({ userId, language, text, roomId, after, limit }: SearchQuery): Promise<SearchPage> {
      // One row past the page says whether there is a next one.
      const { rows } = await pool.query<HitRow>(SEARCH, [
        userId,
        language,
        text,
        roomId ?? null,
        after?.rank ?? null,
        after?.id ?? null,
        limit + 1,
        MARK_START + MARK_STOP,
        HEADLINE_OPTIONS,
        WHOLE_OPTIONS,
      ]);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { hits: page.map(hitOf), next: rows.length > limit && last ? { rank: last.rank, id: last.id } : null };
    },
  };
}

export type SearchRepository = ReturnType<typeof createSearchRepository>;
