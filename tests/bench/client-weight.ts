/**
 * Client weight benchmark: how heavy the Whisper PWA is for the browser.
 *
 *   npm run build                                   # first: this script builds nothing
 *   node --import tsx tests/bench/client-weight.ts  # the whole benchmark (~3–5 minutes)
 *
 * Options: --messages=10000 (size of the big room), --lighthouse-runs=3
 * (median of N runs per page), --skip-lighthouse, --skip-room,
 * --only-startup (1 and 2a alone, about 2 minutes with 3 runs),
 * --startup-profile (a traced, CPU-profiled load of each start-up page, see
 * startup-profile.ts; with --skip-lighthouse --only-startup, nothing else).
 *
 * Prints human progress on stderr and one `RESULT {json}` line on stdout;
 * Lighthouse's full reports go to tests/output/bench/client-weight/.
 *
 * 1. Initial JavaScript (target ≤ 150 kB gzip): client/dist/index.html's
 *    entry <script type="module"> plus every <link rel="modulepreload">,
 *    each gzipped with zlib at level 9; kB = 1000 bytes, as Vite prints.
 * 2. Lighthouse 12, default config (mobile form factor, simulated
 *    throttling), categories performance, accessibility and best-practices
 *    (target ≥ 95 each) against /chat on the real server (`node --import tsx
 *    server/main.ts`), twice:
 *    a. the empty room, beside the floor: a minimal React + Vite page
 *       (tests/bench/floor/, built here, served by a second instance of the
 *       same server), the two taking turns (startup.ts). Reported for both:
 *       score, main-thread work, bootup time, TBT, long tasks, FCP, LCP, and
 *       Whisper / floor main-thread work (target ≤ 2×);
 *    b. the room holding the big history (the page opens on its newest page).
 * 3. A room with 10,000 messages, all loaded into the client: DOM size and
 *    scroll smoothness in Chromium through playwright-core. Seeded straight
 *    into PostgreSQL with SQL that matches migrations/001 (rooms.last_seq
 *    updated); nothing is sent live meanwhile, so no server holds a stale
 *    view of the room. The client's cache (IndexedDB) is pre-loaded with the
 *    whole room through the history API, then the page is reloaded and
 *    scrolled to the top until message 1 is shown, so the list holds all
 *    10,000 (its window widens over the cache as the reader scrolls back).
 *    Reported: elements in the log and in the document (at the bottom, at
 *    the top), the time to scroll back to message 1, the delay from a REST
 *    send to the message showing with the whole room loaded, and two scroll
 *    runs driven by requestAnimationFrame (one scrollTop write per frame):
 *    bottom to top of the whole room in 3 s, and a 3,000 px/s flick for 3 s,
 *    each with p50/p95/max frame interval, the fraction of frames over
 *    1.5 × 16.7 ms, long tasks, and frames whose middle showed no row.
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * names the server; a throwaway `whisper_bench_client_<hex>` database is
 * created there and dropped afterwards. The server gets a free port, a temp
 * DATA_DIR and LOG_LEVEL=warn. Everything started here (server, Chromium) is
 * stopped by PID and the database dropped, on failure and on SIGINT/SIGTERM too.
 * Chromium is /usr/bin/chromium (CHROMIUM_PATH overrides); nothing is downloaded.
 * CLIENT_DIST measures (and serves) another build than client/dist.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ulid } from 'ulid';
import { CHROMIUM_PATH } from '../e2e/support/chromium.js';
import { freePort } from '../support/free-port.js';
import { CHROME_FLAGS, describeRun, runLighthouseRetrying, type LighthouseRun } from './lib/lighthouse.js';
import { buildFloor, compareStartup, describeComparison } from './startup.js';
import { describeProfile, profileStartup, type StartupProfile } from './startup-profile.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The build to measure; CLIENT_DIST points at another one (say, a build of an older version) to compare. */
const DIST = path.resolve(process.env.CLIENT_DIST ?? path.join(REPO_ROOT, 'client/dist'));
/** Lighthouse's full reports (JSON; open in https://googlechrome.github.io/lighthouse/viewer/) for diagnosis. */
const REPORT_DIR = path.join(REPO_ROOT, 'tests/output/bench/client-weight');
const ADMIN_DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOM = 'general';
/** A phone-sized viewport for the big-room measurements (Lighthouse's own mobile emulation is 412×823 too). */
const VIEWPORT = { width: 412, height: 823 };
/** A frame slower than this counts as dropped: 1.5 × 16.7 ms. */
const DROPPED_FRAME_MS = 1.5 * (1000 / 60);

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    'lighthouse-runs': { type: 'string', default: '3' },
    'skip-lighthouse': { type: 'boolean', default: false },
    'skip-room': { type: 'boolean', default: false },
    'only-startup': { type: 'boolean', default: false },
    'startup-profile': { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(args.messages);
const LIGHTHOUSE_RUNS = Number(args['lighthouse-runs']);

const say = (message: string) => process.stderr.write(`[client-weight] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

// ------------------------------------------------------------ cleanup

const cleanups: { name: string; run: () => Promise<void> }[] = [];
/** Registers an undo step; they run last-in first-out. */
function onCleanup(name: string, run: () => Promise<void>) {
  cleanups.push({ name, run });
}
let cleanedUp = false;
async function cleanUp() {
  if (cleanedUp) return;
  cleanedUp = true;
  while (cleanups.length > 0) {
    const step = cleanups.pop()!;
    await step.run().catch((error: unknown) => say(`cleanup "${step.name}" failed: ${String(error)}`));
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    say(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ------------------------------------------------------------ 1. initial JavaScript

interface WeightResult {
  initialJsGzipKB: number;
  initialJsGzipBytes: number;
  initialJsRawBytes: number;
  initialJsFiles: { file: string; rawBytes: number; gzipBytes: number }[];
  cssGzipKB: number;
  /** Every JS file in the build, initial or not (lazy chunks, the worker), for context. */
  allJsGzipKB: number;
}

function attribute(tag: string, name: string): string | null {
  return new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1] ?? null;
}

function measureWeight(): WeightResult {
  const indexPath = path.join(DIST, 'index.html');
  if (!existsSync(indexPath)) throw new Error(`${indexPath} is missing: run "npm run build" first`);
  const html = readFileSync(indexPath, 'utf8');
  const initial = new Set<string>();
  const css = new Set<string>();
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attribute(tag, 'src');
    if (src && attribute(tag, 'type') === 'module') initial.add(src);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attribute(tag, 'rel');
    const href = attribute(tag, 'href');
    if (!href) continue;
    if (rel === 'modulepreload') initial.add(href);
    if (rel === 'stylesheet') css.add(href);
  }
  if (initial.size === 0) throw new Error('no entry <script type="module"> in client/dist/index.html');
  const gz = (file: string) => {
    const raw = readFileSync(path.join(DIST, file.replace(/^\//, '')));
    return { rawBytes: raw.length, gzipBytes: gzipSync(raw, { level: 9 }).length };
  };
  const initialJsFiles = [...initial].map((file) => ({ file, ...gz(file) }));
  const gzipBytes = initialJsFiles.reduce((sum, f) => sum + f.gzipBytes, 0);
  const cssBytes = [...css].reduce((sum, file) => sum + gz(file).gzipBytes, 0);
  const allJs = [...new Set([...listJs(path.join(DIST, 'assets')).map((f) => `/assets/${f}`), '/sw.js'])].filter((f) =>
    existsSync(path.join(DIST, f.slice(1))),
  );
  return {
    initialJsGzipKB: round(gzipBytes / 1000),
    initialJsGzipBytes: gzipBytes,
    initialJsRawBytes: initialJsFiles.reduce((sum, f) => sum + f.rawBytes, 0),
    initialJsFiles,
    cssGzipKB: round(cssBytes / 1000),
    allJsGzipKB: round(allJs.reduce((sum, f) => sum + gz(f).gzipBytes, 0) / 1000),
  };
}

function listJs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js')).sort() : [];
}

// ------------------------------------------------------------ database and server

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL, application_name: 'whisper-client-bench' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<string> {
  const host = new URL(ADMIN_DATABASE_URL).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`refusing a non-loopback database: ${host}`);
  const name = `whisper_bench_client_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  onCleanup(`drop database ${name}`, async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    say(`dropped database ${name}`);
  });
  return withDatabase(ADMIN_DATABASE_URL, name);
}

/** Stops a child by its PID: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Whisper's server serving `clientDir` (Whisper's build, or the start-up floor page). */
async function startServer(databaseUrl: string, clientDir = DIST): Promise<string> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'whisper-client-bench-'));
  onCleanup(`remove ${dataDir}`, async () => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn('node', ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', CLIENT_DIR: clientDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  onCleanup(`stop server (pid ${child.pid})`, async () => {
    await stopChild(child);
    say(`server (pid ${child.pid}) stopped`);
  });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output.join('')}`);
    const ok = await fetch(`${origin}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server did not become healthy: ${output.join('')}`);
    await sleep(200);
  }
  say(`server (pid ${child.pid}) listening on ${origin}, serving ${path.relative(REPO_ROOT, clientDir) || clientDir}`);
  return origin;
}

// ------------------------------------------------------------ 2. Lighthouse

/**
 * N runs: the run with the median performance score (Lighthouse's own advice
 * for variance), every run's scores, and the best run. A busy machine only
 * ever makes a run slower, so the best run is the nearest to what the page
 * does on an idle one; the median is the one to hold the target against.
 */
async function lighthouseMedian(url: string, label: string, reportName: string) {
  const runs: LighthouseRun[] = [];
  for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
    say(`lighthouse ${label}: run ${i + 1}/${LIGHTHOUSE_RUNS}`);
    const run = await runLighthouseRetrying(url, REPORT_DIR, `${reportName}-${i + 1}`, onCleanup, say);
    say(`  ${describeRun(run)}`);
    runs.push(run);
  }
  const byPerformance = [...runs].sort((a, b) => a.performance - b.performance);
  const chosen = byPerformance[Math.floor((byPerformance.length - 1) / 2)];
  const best = byPerformance.at(-1)!;
  return {
    ...chosen,
    runs: runs.length,
    performanceRuns: runs.map((r) => r.performance),
    tbtRuns: runs.map((r) => r.tbtMs),
    best: { performance: best.performance, fcpMs: best.fcpMs, lcpMs: best.lcpMs, tbtMs: best.tbtMs, cls: best.cls, benchmarkIndex: best.benchmarkIndex },
  };
}

// ------------------------------------------------------------ 3. the big room

/** A small deterministic PRNG, so every run seeds the same room. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the a chat message offline sync server client queue socket reload browser works fine today tomorrow meeting lunch coffee deploy build test ' +
  'release review branch merge ship it looks good thanks again sure maybe later why not sounds great what about the latency numbers on mobile';

/** Message n's text: mostly short, some paragraphs, a few with line breaks, so row heights vary as in a real room. */
function content(n: number, random: () => number): string {
  const words = WORDS.split(' ');
  const pick = (count: number) => Array.from({ length: count }, () => words[Math.floor(random() * words.length)]).join(' ');
  const roll = random();
  const body = roll < 0.6 ? pick(2 + Math.floor(random() * 10)) : roll < 0.9 ? pick(15 + Math.floor(random() * 30)) : `${pick(20)}\n${pick(25)}\n\n${pick(30)}`;
  return `#${n} ${body}`;
}

async function seedRoom(databaseUrl: string, count: number): Promise<void> {
  const random = mulberry32(42);
  const users = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
  // Spread over the last week (several day separators), a message about a minute apart.
  const start = Date.now() - 7 * 24 * 3600_000;
  const step = (7 * 24 * 3600_000 - 60_000) / count;
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'whisper-client-bench' });
  await client.connect();
  try {
    await client.query('BEGIN');
    const BATCH = 1000;
    let user = 0;
    for (let first = 1; first <= count; first += BATCH) {
      const ids: string[] = [];
      const seqs: number[] = [];
      const userIds: string[] = [];
      const texts: string[] = [];
      const times: string[] = [];
      for (let seq = first; seq < Math.min(first + BATCH, count + 1); seq++) {
        const at = Math.round(start + seq * step);
        // Runs of a few messages from one sender, so grouping shows.
        if (random() < 0.35) user = Math.floor(random() * users.length);
        ids.push(ulid(at));
        seqs.push(seq);
        userIds.push(users[user]);
        texts.push(content(seq, random));
        times.push(new Date(at).toISOString());
      }
      await client.query(
        `INSERT INTO messages (id, room_id, seq, user_id, client_id, content, created_at)
         SELECT id, $1, seq, user_id, NULL, content, created_at
         FROM unnest($2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::timestamptz[]) AS t(id, seq, user_id, content, created_at)`,
        [ROOM, ids, seqs, userIds, texts, times],
      );
    }
    await client.query('UPDATE rooms SET last_seq = $2 WHERE id = $1', [ROOM, count]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

const messageNumber = (text: string | null | undefined) => Number(/^#(\d+) /.exec(text ?? '')?.[1] ?? Number.NaN);

async function renderedNumbers(page: Page): Promise<number[]> {
  const texts = await page.locator('[role="log"] [data-message] p').allTextContents();
  return texts.map(messageNumber);
}

/** Loads the whole room into the page's IndexedDB cache (the `messages` store), the way the client stores history pages. */
async function preloadCache(page: Page, count: number): Promise<void> {
  await page.evaluate(
    async ({ room, count: total }) => {
      const all: unknown[] = [];
      let before = total + 1;
      while (before > 1) {
        const response = await fetch(`/v1/chat/messages?room_id=${room}&before_seq=${before}&limit=500`);
        if (!response.ok) throw new Error(`history: ${response.status}`);
        const page = (await response.json()) as { data: { seq: number }[] };
        if (page.data.length === 0) break;
        all.push(...page.data);
        before = page.data[0].seq;
      }
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('whisper');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction('messages', 'readwrite');
      const store = tx.objectStore('messages');
      for (const message of all) store.put(message);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { room: ROOM, count },
  );
}

interface DomSize {
  logElements: number;
  documentElements: number;
  renderedMessages: number;
}

async function domSize(page: Page): Promise<DomSize> {
  return page.evaluate(() => {
    const log = document.querySelector('[role="log"]')!;
    return {
      logElements: log.querySelectorAll('*').length,
      documentElements: document.querySelectorAll('*').length,
      renderedMessages: log.querySelectorAll('[data-message]').length,
    };
  });
}

interface ScrollRun {
  durationMs: number;
  frames: number;
  pixels: number;
  p50FrameMs: number;
  p95FrameMs: number;
  maxFrameMs: number;
  droppedFrameFraction: number;
  /** Frames where the middle of the viewport showed no message or day separator (the list had not caught up). */
  blankFrames: number;
  longTasks: number;
  longTaskMs: number;
  reachedTop: boolean;
  /** scrollTop 100 ms after the last frame. */
  finalScrollTop: number;
}

/**
 * Scrolls the log upwards from the bottom for `durationMs`, writing
 * scrollTop once per animation frame, and records the interval between
 * frames. `pixelsPerSecond` null means "from the bottom to the very top in
 * that time", whatever the distance.
 */
async function scrollRun(page: Page, durationMs: number, pixelsPerSecond: number | null): Promise<ScrollRun> {
  const log = page.locator('[role="log"]');
  await log.evaluate(async (el) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    for (let i = 0; i < 10; i++) {
      el.scrollTop = el.scrollHeight;
      await frame();
    }
  });
  await sleep(500);
  return log.evaluate(
    async (el, { durationMs: duration, pixelsPerSecond: speed, droppedMs }) => {
      const longTasks: number[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longTasks.push(entry.duration);
      });
      try {
        observer.observe({ type: 'longtask', buffered: false });
      } catch {
        // longtask not supported: reported as 0
      }
      const box = el.getBoundingClientRect();
      const probe = { x: box.left + box.width / 2, y: box.top + box.height / 2 };
      const startTop = el.scrollTop;
      const intervals: number[] = [];
      let blank = 0;
      let pixels = 0;
      await new Promise<void>((resolve) => {
        let t0 = 0;
        let previous = 0;
        const tick = (now: number) => {
          if (t0 === 0) {
            t0 = now;
            previous = now;
          } else {
            intervals.push(now - previous);
            previous = now;
            // What this frame shows, after the last write's scroll event re-rendered the list.
            const hit = document.elementFromPoint(probe.x, probe.y);
            if (!hit || !hit.closest('[data-message], [role="separator"]')) blank++;
          }
          const progress = Math.min(1, (now - t0) / duration);
          const before = el.scrollTop;
          el.scrollTop = speed === null ? (el.scrollHeight - el.clientHeight) * (1 - progress) : startTop - speed * ((now - t0) / 1000);
          pixels += Math.abs(before - el.scrollTop);
          if (progress < 1) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      observer.disconnect();
      const sorted = [...intervals].sort((a, b) => a - b);
      const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
      return {
        durationMs: duration,
        frames: intervals.length,
        pixels: Math.round(pixels),
        p50FrameMs: Math.round(pct(0.5) * 10) / 10,
        p95FrameMs: Math.round(pct(0.95) * 10) / 10,
        maxFrameMs: Math.round((sorted.at(-1) ?? Number.NaN) * 10) / 10,
        droppedFrameFraction: Math.round((intervals.filter((i) => i > droppedMs).length / Math.max(1, intervals.length)) * 1000) / 1000,
        blankFrames: blank,
        longTasks: longTasks.length,
        longTaskMs: Math.round(longTasks.reduce((a, b) => a + b, 0)),
        reachedTop: el.scrollTop <= 1,
        finalScrollTop: Math.round(el.scrollTop),
      };
    },
    { durationMs, pixelsPerSecond, droppedMs: DROPPED_FRAME_MS },
  );
}

async function bigRoom(browser: Browser, origin: string, count: number) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  // tsx (esbuild, keepNames) wraps named functions inside the callbacks given
  // to page.evaluate in __name(...); give the page a no-op one.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  say(`big room: opening /chat`);
  await page.goto(`${origin}/chat`);
  await page.getByRole('textbox', { name: 'Message' }).waitFor({ timeout: 30_000 });
  await waitFor(async () => (await renderedNumbers(page)).at(-1) === count, 30_000, 'the newest message to show');

  say(`big room: loading all ${count} messages into the client's cache, then reloading`);
  const preloadStart = Date.now();
  await preloadCache(page, count);
  const preloadMs = Date.now() - preloadStart;
  await page.reload();
  await page.getByRole('textbox', { name: 'Message' }).waitFor({ timeout: 30_000 });
  await waitFor(async () => (await renderedNumbers(page)).at(-1) === count, 30_000, 'the newest message after the reload');
  const atOpen = await domSize(page);

  say('big room: scrolling to the top until message 1 is shown (the window widens over the cache)');
  const log = page.locator('[role="log"]');
  const scrollBackStart = Date.now();
  let scrollBackSteps = 0;
  await waitFor(
    async () => {
      scrollBackSteps++;
      await log.evaluate((el) => {
        el.scrollTop = 0;
      });
      await sleep(100);
      return (await renderedNumbers(page))[0] === 1 && (await log.getByText('This is the beginning of the conversation.').count()) === 1;
    },
    180_000,
    'message 1 at the top',
  );
  const scrollBackMs = Date.now() - scrollBackStart;
  const atTop = await domSize(page);

  say('big room: new message latency with the whole room in the window');
  const newMessageMs = await newMessageLatency(page, origin);
  const atBottom = await domSize(page);

  say('big room: scroll from the bottom to the top of all messages in 3 s');
  const wholeRoom = await scrollRun(page, 3_000, null);
  say(`  ${JSON.stringify(wholeRoom)}`);
  say('big room: a fast flick, 3,000 px/s for 3 s');
  const flick = await scrollRun(page, 3_000, 3_000);
  say(`  ${JSON.stringify(flick)}`);
  const jsHeapMB = await page.evaluate(() => {
    const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    return memory ? Math.round((memory.usedJSHeapSize / 1e6) * 10) / 10 : null;
  });
  await context.close();
  return { messages: count, preloadMs, scrollBackMs, scrollBackSteps, atOpen, atTop, atBottom, newMessageMs, jsHeapMB, wholeRoom, flick, pageErrors: errors };
}

/** From a REST send by another user to the message showing in the page at the bottom of the list. */
async function newMessageLatency(page: Page, origin: string): Promise<number> {
  const log = page.locator('[role="log"]');
  await log.evaluate(async (el) => {
    for (let i = 0; i < 10; i++) {
      el.scrollTop = el.scrollHeight;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  });
  const session = (await (await fetch(`${origin}/v1/session`, { method: 'POST' })).json()) as { token: string };
  const marker = `latency probe ${randomBytes(4).toString('hex')}`;
  const seen = page.evaluate(
    (text) =>
      new Promise<number>((resolve) => {
        const observer = new MutationObserver(() => {
          for (const p of document.querySelectorAll('[role="log"] [data-message] p')) {
            if (p.textContent === text) {
              observer.disconnect();
              resolve(performance.timeOrigin + performance.now());
              return;
            }
          }
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      }),
    marker,
  );
  await sleep(200);
  const sentAt = Date.now();
  const response = await fetch(`${origin}/v1/chat/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'messages', data: [{ client_id: ulid(), room_id: ROOM, content: marker }] }),
  });
  if (!response.ok) throw new Error(`send: ${response.status}`);
  const shownAt = await Promise.race([seen, sleep(30_000).then(() => Number.NaN)]);
  return Math.round(shownAt - sentAt);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ------------------------------------------------------------ main

const result: Record<string, unknown> = {};

async function main() {
  Object.assign(result, {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageAtStart: os.loadavg().map((l) => round(l, 2)) },
  });

  say('initial JavaScript from client/dist');
  const weight = measureWeight();
  for (const f of weight.initialJsFiles) say(`  ${f.file}: ${f.rawBytes} bytes, ${f.gzipBytes} gzip`);
  say(`  initial JS ${weight.initialJsGzipKB} kB gzip (target ≤ 150), CSS ${weight.cssGzipKB} kB gzip`);
  Object.assign(result, weight, { initialJsTargetMet: weight.initialJsGzipKB <= 150 });

  const onlyStartup = args['only-startup'];
  const lighthouseRuns = !args['skip-lighthouse'];
  const startupProfile = args['startup-profile'];
  const room = !onlyStartup && !args['skip-room'];
  if (lighthouseRuns || startupProfile || room) {
    const databaseUrl = await createDatabase();
    const origin = await startServer(databaseUrl);

    if (lighthouseRuns || startupProfile) {
      const floorDir = mkdtempSync(path.join(os.tmpdir(), 'whisper-bench-floor-'));
      onCleanup(`remove ${floorDir}`, async () => rmSync(floorDir, { recursive: true, force: true }));
      say('start-up floor: building tests/bench/floor with Vite');
      const floorWeight = await buildFloor(floorDir);
      say(`  floor initial JS ${floorWeight.initialJsGzipKB} kB gzip`);
      const floorOrigin = await startServer(databaseUrl, floorDir);
      if (startupProfile) {
        const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROME_FLAGS });
        onCleanup('close Playwright Chromium (profile)', () => browser.close());
        mkdirSync(REPORT_DIR, { recursive: true });
        const profiles: Record<string, StartupProfile> = {};
        for (const [name, url, dir] of [['whisper', origin, DIST], ['floor', floorOrigin, floorDir]] as const) {
          profiles[name] = await profileStartup(browser, `${url}/chat`, dir, path.join(REPORT_DIR, `startup-profile-${name}`));
          for (const line of describeProfile(name, profiles[name])) say(line);
        }
        await browser.close();
        say(`  trace and CPU profile of each in ${path.relative(REPO_ROOT, REPORT_DIR)}/startup-profile-*`);
        result.startupProfile = profiles;
      }
      if (lighthouseRuns) {
        // The empty room's Lighthouse runs are the start-up comparison's: one series, beside the floor.
        const startup = await compareStartup({ whisperUrl: `${origin}/chat`, floorUrl: `${floorOrigin}/chat`, rounds: LIGHTHOUSE_RUNS, reportDir: REPORT_DIR, onCleanup, say });
        for (const line of describeComparison(startup)) say(line);
        result.startup = { ...startup, whisperMedianRun: undefined, floorInitialJsGzipKB: floorWeight.initialJsGzipKB, floorInitialJsRawBytes: floorWeight.initialJsRawBytes };
        result.lighthouseEmptyRoom = startup.whisperMedianRun;
      }
      if (onlyStartup) {
        process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
        return;
      }
    }
    if (!lighthouseRuns && !room) {
      process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
      return;
    }

    say(`seeding ${MESSAGES} messages with SQL`);
    const seedStart = Date.now();
    await seedRoom(databaseUrl, MESSAGES);
    say(`  seeded in ${Date.now() - seedStart} ms`);

    if (lighthouseRuns) {
      const full = await lighthouseMedian(`${origin}/chat`, `room with ${MESSAGES} messages`, 'lighthouse-big-room');
      result.lighthouse = full;
      const empty = result.lighthouseEmptyRoom as LighthouseRun;
      result.lighthousePerformance = full.performance;
      result.lighthouseAccessibility = full.accessibility;
      result.lighthouseBestPractices = full.bestPractices;
      result.lighthouseTargetMet = [full, empty].every((r) => r.performance >= 95 && r.accessibility >= 95 && r.bestPractices >= 95);
    }

    if (room) {
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROME_FLAGS });
      onCleanup('close Playwright Chromium', () => browser.close());
      const big = await bigRoom(browser, origin, MESSAGES);
      result.bigRoom = big;
      result.bigRoomLogElements = big.atBottom.logElements;
      result.bigRoomDocumentElements = big.atBottom.documentElements;
      result.bigRoomScrollP95FrameMs = big.wholeRoom.p95FrameMs;
      result.bigRoomScrollDroppedFraction = big.wholeRoom.droppedFrameFraction;
    }
  }

  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main()
  .catch((error: unknown) => {
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    // What was measured before the failure, and why it stopped.
    process.stdout.write(`RESULT ${JSON.stringify({ ...result, error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
  });
