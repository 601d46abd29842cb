import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';

/** What migrations/011 builds the search column with, and what SEARCH_LANGUAGE defaults to. */
export const DEFAULT_SEARCH_LANGUAGE = 'english';

/** Arbitrary but fixed: instances starting at once rebuild the column once. */
const REBUILD_LOCK_KEY = 7_270_117;

/** The configuration in messages.search_vector's expression, e.g. `to_tsvector('english'::regconfig, regexp_replace(content, …))` (migrations/011). */
const COLUMN_LANGUAGE = `
  SELECT substring(pg_get_expr(d.adbin, d.adrelid) FROM 'to_tsvector\\(''([^'']+)''::regconfig') AS language
    FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = 'messages'::regclass AND a.attname = 'search_vector'`;

async function columnLanguage(db: pg.ClientBase): Promise<string | null> {
  const { rows } = await db.query<{ language: string | null }>(COLUMN_LANGUAGE);
  return rows[0]?.language ?? null;
}

/**
 * Q1: makes messages.search_vector use the text-search configuration
 * `wanted` (SEARCH_LANGUAGE) and returns its canonical name, which every
 * search then passes to websearch_to_tsquery and ts_headline, so queries
 * are parsed and stemmed as the stored words were. The configuration is
 * part of the generated column's expression (migrations/011 says why), so
 * a different one means rebuilding the column and its index: the whole
 * table is rewritten once, under a lock that holds writes meanwhile.
 * An unknown name fails the start.
 */
export async function ensureSearchLanguage(pool: pg.Pool, wanted: string, log: FastifyBaseLogger): Promise<string> {
  const client = await pool.connect();
  try {
    let language: string;
    try {
      ({ rows: [{ language }] } = await client.query<{ language: string }>('SELECT $1::regconfig::text AS language', [wanted]));
    } catch (error) {
      throw new Error(`SEARCH_LANGUAGE ${JSON.stringify(wanted)} is not a text-search configuration of this database (see \\dF in psql): ${(error as Error).message}`);
    }
    if ((await columnLanguage(client)) === language) return language;

    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [REBUILD_LOCK_KEY]);
      // Another instance may have rebuilt it while this one waited.
      if ((await columnLanguage(client)) !== language) {
        log.warn({ language }, 'rebuilding the message search index for a new SEARCH_LANGUAGE; this rewrites the messages table once');
        await client.query('SET LOCAL statement_timeout = 0');
        await client.query('ALTER TABLE messages DROP COLUMN search_vector');
        await client.query(
          `ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector(${client.escapeLiteral(language)}::regconfig, regexp_replace(content, '(?<!<)/(?=\\w)', ' ', 'g'))) STORED`,
        );
        await client.query('CREATE INDEX messages_search ON messages USING gin (room_id, search_vector)');
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return language;
  } finally {
    client.release();
  }
}
