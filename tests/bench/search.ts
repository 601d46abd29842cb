/**
 * Search (Q1) latency: GET /v1/search through the real HTTP server
 * (`server/main.ts` as a child on 127.0.0.1) over a database of
 * SEARCH_BENCH_MESSAGES (1,000,000) messages in 200 groups, for a user who
 * is a member of 50 of them. The text comes from a vocabulary of 20,000
 * words drawn with a Zipf distribution (the word of rank r with probability
 * ∝ 1/r), 4–19 words a message, so there are very common words, rare ones
 * and everything between; the top of the vocabulary is real chat English
 * (stop words included), the tail made-up words.
 *
 * A query mix (common word, rare word, phrase, two words, exclusion, a word
 * in no message) is sent round robin: SEARCH_BENCH_WARMUP uncounted, then
 * SEARCH_BENCH_REQUESTS (200) one at a time; p50/p95 per kind and overall.
 * Prints `RESULT {json}` for run.ts (`npm run bench -- --only=search`).
 *
 *   node --import tsx tests/bench/search.ts            seed once, then measure
 *   node --import tsx tests/bench/search.ts --reseed   drop the seeded database and seed again
 *   node --import tsx tests/bench/search.ts --drop     drop it and stop
 *
 * The seeded database (`whisper_bench_search` on DATABASE_URL's server,
 * default postgres://postgres@127.0.0.1:5432/postgres) is kept between runs
 * once complete, so a re-run only measures; seeding takes a few minutes on
 * two cores. Rows are made by set-based SQL (INSERT … SELECT over
 * generate_series) in chunks, straight into messages: search reads only
 * messages and membership, so no room_events are written (each room's
 * last_seq is set to its last message).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../../server/infra/migrate.js';
import { freePort } from '../support/free-port.js';
import { LatencyHistogram } from './lib/histogram.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'whisper_bench_search';
const MESSAGES = Number(process.env.SEARCH_BENCH_MESSAGES ?? 1_000_000);
const ROOMS = 200;
/** The searching user is in every ROOMS / MEMBER_ROOMS-th group. */
const MEMBER_ROOMS = 50;
const AUTHORS = 1000;
const VOCABULARY = 20_000;
const MIN_WORDS = 4;
/** Words per message: MIN_WORDS + (0…WORD_SPREAD − 1). */
const WORD_SPREAD = 16;
/** Rows per INSERT … SELECT: progress to watch, and no single huge transaction. */
const CHUNK = 100_000;
const REQUESTS = Number(process.env.SEARCH_BENCH_REQUESTS ?? 200);
const WARMUP = Number(process.env.SEARCH_BENCH_WARMUP ?? 30);
const SERVER_START_TIMEOUT_MS = 60_000;
/** Target for the common-word queries (the slowest kind: the most matches to rank). */
const TARGET_P95_MS = 100;

const { values: args } = parseArgs({ options: { reseed: { type: 'boolean', default: false }, drop: { type: 'boolean', default: false } } });

const log = (line: string) => process.stderr.write(`[search-bench] ${line}\n`);

const host = new URL(ADMIN_URL).hostname;
if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') throw new Error(`refusing a non-loopback database: ${host}`);
const databaseUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
})();

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'whisper-bench' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

// ------------------------------------------------------------------ words

/** The head of the vocabulary, most frequent first: chat English, stop words and all. */
const HEAD_WORDS = `the i you to a and it is that in we for me of on have this be so just not are what do my with at can was but get all
like know if lol yeah good will go how think about up out now ok time see one there they no been really going your its want
today back here when need some would then make did had more got work day still right let people thanks sure well much tonight
new great love tomorrow morning meeting home night call week later maybe never thing come look nice last because over could
something should very next first said take even again school coffee lunch dinner weekend movie game team plan phone help
place friend party happy sorry early late car music book office trip train weather rain sunny cold hot birthday project email
message picture photo video kids family doctor store shopping money ticket flight hotel beach park walk run running run runs
runner ran dog cat house room city town street bus window door table kitchen garden summer winter spring autumn monday friday
saturday sunday question answer idea problem reason story news update report deadline client budget design code bug test
release server database search message deploy review pizza burger salad soup bread cheese chocolate cake tea beer wine water`
  .split(/\s+/)
  .filter((word, i, all) => all.indexOf(word) === i);

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'do', 'gu', 'fe', 'hi', 'jo', 'be', 'co', 'wi', 'ya', 'nu'];

/** A made-up word for each rank past the head: its digits in base 20 as syllables. */
function tailWord(rank: number): string {
  let word = '';
  for (let n = rank; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return word;
}

function vocabulary(): string[] {
  const words = [...HEAD_WORDS];
  for (let rank = words.length + 1; words.length < VOCABULARY; rank++) words.push(tailWord(rank));
  return words;
}

/** A word drawn about MESSAGES × 12 / (12,000 × ln 20,000) ≈ 100 times in all, ~25 in the user's rooms. */
const RARE_WORD = tailWord(12_000);

/** The query mix, by kind. */
const QUERIES: Record<string, string> = {
  'common word': 'good',
  'common word 2': 'like',
  'rare word': RARE_WORD,
  phrase: '"good morning"',
  'two words': 'meeting tomorrow',
  exclusion: 'good -morning',
  'word in no message': 'xylophone',
};

// ------------------------------------------------------------------ seeding

async function seededRows(): Promise<number | null> {
  const exists = await withClient(ADMIN_URL, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])).rowCount === 1);
  if (!exists) return null;
  return withClient(databaseUrl, async (c) => {
    const { rows } = await c.query<{ rows: number }>("SELECT rows FROM bench_seed WHERE done").catch(() => ({ rows: [] as { rows: number }[] }));
    return rows[0]?.rows ?? null;
  });
}

async function dropDatabase(): Promise<void> {
  await withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
}

async function seed(): Promise<number> {
  await dropDatabase();
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${DATABASE}`));
  await migrate(databaseUrl);
  const started = performance.now();
  await withClient(databaseUrl, async (c) => {
    await c.query('CREATE TABLE bench_seed (rows int NOT NULL, done boolean NOT NULL DEFAULT false)');
    await c.query('CREATE TABLE bench_words (rank int PRIMARY KEY, word text NOT NULL)');
    await c.query('INSERT INTO bench_words SELECT r, w FROM unnest($1::text[]) WITH ORDINALITY AS t(w, r)', [vocabulary()]);
    await c.query(
      `INSERT INTO rooms (id, name, kind, owner_id) SELECT 'bench-' || lpad(n::text, 3, '0'), 'Bench ' || n, 'group', md5('author' || n)::uuid FROM generate_series(0, $1 - 1) n`,
      [ROOMS],
    );
    // The GIN index is built once at the end: far faster than row by row.
    await c.query('DROP INDEX messages_search');
    for (let low = 0; low < MESSAGES; low += CHUNK) {
      const high = Math.min(MESSAGES, low + CHUNK) - 1;
      const chunkStarted = performance.now();
      // Message g: room g % ROOMS, its seq g / ROOMS + 1, an author of AUTHORS,
      // one second after message g − 1; each word drawn log-uniformly over
      // the ranks (density ∝ 1/r: Zipf), hashint4 varying the length.
      await c.query(
        `INSERT INTO messages (id, room_id, seq, user_id, content, created_at)
         SELECT lpad(upper(to_hex(g)), 26, '0'), 'bench-' || lpad((g % $3::int)::text, 3, '0'), g / $3::int + 1, md5('author' || (g % $4::int))::uuid,
                words.content, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
           FROM generate_series($1::int, $2::int) AS g
           CROSS JOIN LATERAL (
             -- Each word's rank is drawn in d (a volatile target list stays there, once per word), then looked up by key.
             SELECT string_agg((SELECT w.word FROM bench_words w WHERE w.rank = d.r), ' ' ORDER BY d.k) AS content
               FROM (SELECT k, least($5::int, 1 + floor(exp(random() * ln($5::int)))::int) AS r
                       FROM generate_series(1, $6::int + (abs(hashint4(g)) % $7::int)) AS k) AS d
           ) AS words`,
        [low, high, ROOMS, AUTHORS, VOCABULARY, MIN_WORDS, WORD_SPREAD],
      );
      log(`seeded ${high + 1} / ${MESSAGES} messages (${Math.round(performance.now() - chunkStarted)} ms this chunk)`);
    }
    await c.query('UPDATE rooms r SET last_seq = m.last FROM (SELECT room_id, max(seq) AS last FROM messages GROUP BY room_id) m WHERE m.room_id = r.id');
    log('building the GIN index');
    await c.query("SET maintenance_work_mem = '256MB'");
    await c.query('CREATE INDEX messages_search ON messages USING gin (search_vector)');
    await c.query('VACUUM ANALYZE messages');
    await c.query('INSERT INTO bench_seed (rows, done) VALUES ($1, true)', [MESSAGES]);
  });
  log(`seeded ${MESSAGES} messages in ${Math.round((performance.now() - started) / 1000)} s`);
  return MESSAGES;
}

// ------------------------------------------------------------------ measuring

let server: ChildProcess | undefined;

async function startServer(dataDir: string): Promise<string> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', USER_REQUESTS_PER_MINUTE: '100000' };
  delete env.TSX_TSCONFIG_PATH;
  server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (!(await fetch(`${origin}/healthz`).then((r) => r.ok).catch(() => false))) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error('server did not start');
    // Nothing to await until it listens: poll its health endpoint.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return origin;
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}
process.on('exit', () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopServer().finally(() => process.exit(130)));

/** A fresh identity, made a member of every ROOMS / MEMBER_ROOMS-th group. */
async function searcher(origin: string): Promise<{ userId: string; token: string }> {
  const response = await fetch(`${origin}/v1/session`, { method: 'POST' });
  if (!response.ok) throw new Error(`POST /v1/session: ${response.status}`);
  const { user_id: userId, token } = (await response.json()) as { user_id: string; token: string };
  await withClient(databaseUrl, (c) =>
    c.query(`INSERT INTO room_members (room_id, user_id) SELECT 'bench-' || lpad(n::text, 3, '0'), $1 FROM generate_series(0, $2 - 1, $3) n`, [userId, ROOMS, ROOMS / MEMBER_ROOMS]),
  );
  return { userId, token };
}

interface KindResult {
  query: string;
  hitsOnFirstPage: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

async function measure(origin: string, token: string) {
  const kinds = Object.keys(QUERIES);
  const byKind = new Map(kinds.map((kind) => [kind, new LatencyHistogram()]));
  const hits = new Map<string, number>();
  const all = new LatencyHistogram();
  for (let i = -WARMUP; i < REQUESTS; i++) {
    const kind = kinds[((i % kinds.length) + kinds.length) % kinds.length];
    const started = performance.now();
    const response = await fetch(`${origin}/v1/search?q=${encodeURIComponent(QUERIES[kind])}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { data?: unknown[] };
    const ms = performance.now() - started;
    if (!response.ok) throw new Error(`search ${QUERIES[kind]}: ${response.status} ${JSON.stringify(body)}`);
    if (i < 0) continue;
    byKind.get(kind)!.add(ms);
    all.add(ms);
    hits.set(kind, body.data?.length ?? 0);
  }
  const perKind: Record<string, KindResult> = {};
  for (const kind of kinds) {
    const { p50, p95, max } = byKind.get(kind)!.summary();
    perKind[kind] = { query: QUERIES[kind], hitsOnFirstPage: hits.get(kind) ?? 0, p50, p95, max };
  }
  return { perKind, overall: all.summary() };
}

/** How many messages of the user's rooms each query matches: the work each one ranks. */
async function matchCounts(userId: string): Promise<Record<string, number>> {
  return withClient(databaseUrl, async (c) => {
    const counts: Record<string, number> = {};
    for (const [kind, q] of Object.entries(QUERIES)) {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages m
          WHERE m.search_vector @@ websearch_to_tsquery('english', $1)
            AND m.room_id IN (SELECT room_id FROM room_members WHERE user_id = $2)`,
        [q, userId],
      );
      counts[kind] = rows[0].n;
    }
    return counts;
  });
}

async function main(): Promise<void> {
  if (args.drop) {
    await dropDatabase();
    log(`dropped ${DATABASE}`);
    return;
  }
  let rows = args.reseed ? null : await seededRows();
  const reused = rows === MESSAGES;
  if (!reused) rows = await seed();
  else log(`reusing ${DATABASE} (${rows} messages; --reseed to make it again)`);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'whisper-search-bench-'));
  try {
    const origin = await startServer(dataDir);
    const { userId, token } = await searcher(origin);
    const matches = await matchCounts(userId);
    log(`matches in the user's ${MEMBER_ROOMS} rooms: ${JSON.stringify(matches)}`);
    const loadStart = os.loadavg().map((x) => Math.round(x * 10) / 10);
    const { perKind, overall } = await measure(origin, token);
    for (const [kind, r] of Object.entries(perKind)) log(`${kind} (${r.query}): p50 ${r.p50} ms, p95 ${r.p95} ms, max ${r.max} ms; ${matches[kind]} matches`);
    log(`overall: p50 ${overall.p50} ms, p95 ${overall.p95} ms`);
    const commonP95 = Math.max(perKind['common word'].p95 ?? Infinity, perKind['common word 2'].p95 ?? Infinity);
    const result = {
      messages: rows,
      rooms: ROOMS,
      memberRooms: MEMBER_ROOMS,
      vocabulary: VOCABULARY,
      wordsPerMessage: `${MIN_WORDS}–${MIN_WORDS + WORD_SPREAD - 1}`,
      seededNow: !reused,
      requests: REQUESTS,
      warmup: WARMUP,
      matchesInMemberRooms: matches,
      perKind,
      overall,
      target: { commonWordP95Ms: TARGET_P95_MS },
      met: commonP95 <= TARGET_P95_MS,
      loadAverage: { start: loadStart, end: os.loadavg().map((x) => Math.round(x * 10) / 10) },
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await stopServer();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
