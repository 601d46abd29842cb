/**
 * Two (or more) builds of the client side by side with the start-up floor,
 * in turns, so a change to start-up is measured against the code before it
 * at the same moment on a shared machine:
 *
 *   npm run build && cp -r client/dist /tmp/before      # on the old code
 *   npm run build                                       # on the new code
 *   node --import tsx tests/bench/startup-ab.ts --build before=/tmp/before --build after=client/dist \
 *     --trace-rounds 8 --lighthouse-rounds 5
 *
 * Each build (and the floor, tests/bench/floor/) is served by its own
 * instance of Whisper's server, all on one throwaway database. Per round,
 * every page once, the order rotating from round to round:
 * - a trace: a fresh browser context (a first visit, as Lighthouse's), the
 *   CPU throttled 4×, from navigation until the page has settled (Whisper:
 *   the connection is online; the floor: loaded) plus SETTLE_MS, which
 *   takes in what waits for start-up (the later chunk, the service
 *   worker's registration). Reported: the renderer main thread's top-level
 *   tasks, wall time and thread (CPU) time;
 * - optionally a Lighthouse run (lib/lighthouse.ts): main-thread work and
 *   its CPU time.
 * Medians per page, and per build the median of each round's ratio to the
 * floor. Nothing is kept but the printed figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/chromium.js';
import { freePort } from '../support/free-port.js';
import { runLighthouseRetrying } from './lib/lighthouse.js';
import { buildFloor } from './startup.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REPORT_DIR = path.join(REPO_ROOT, 'tests/output/bench/startup-ab');
const THROTTLE = 4;
/** After the page has settled: long enough for what waits for start-up (an idle callback, a chunk, the worker's install) under 4× throttling. */
const SETTLE_MS = 6_000;

const { values: args } = parseArgs({
  options: {
    build: { type: 'string', multiple: true, default: [] },
    'trace-rounds': { type: 'string', default: '8' },
    'lighthouse-rounds': { type: 'string', default: '0' },
  },
});

const say = (message: string) => process.stderr.write(`[startup-ab] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const r2 = (value: number) => Math.round(value * 100) / 100;

const cleanups: (() => Promise<void>)[] = [];
async function cleanUp() {
  for (const run of cleanups.splice(0).reverse()) await run().catch((error: unknown) => say(`cleanup: ${String(error)}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().then(() => process.exit(130)));

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function startServer(databaseUrl: string, clientDir: string): Promise<string> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'whisper-startup-ab-'));
  const child: ChildProcess = spawn('node', ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', CLIENT_DIR: clientDir },
    stdio: 'ignore',
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const origin = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
    if (await fetch(`${origin}/healthz`).then((r) => r.ok, () => false)) return origin;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server for ${clientDir} did not start`);
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { beginData?: { url?: string } };
}

/** One first visit, traced with the CPU throttled: the renderer main thread's top-level tasks until the page settled + SETTLE_MS. */
async function traceStartup(browser: Browser, url: string, whisper: boolean): Promise<{ wallMs: number; cpuMs: number }> {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    const events: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (message) => events.push(...(message.value as unknown as TraceEvent[])));
    const traced = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] }, transferMode: 'ReportEvents' });
    await page.goto(url, { waitUntil: 'load' });
    if (whisper) await page.locator('[role="status"][data-phase="online"]').waitFor({ timeout: 60_000 });
    await sleep(SETTLE_MS);
    await cdp.send('Tracing.end');
    await traced;
    const origin = new URL(url).origin;
    const parse = events.find((e) => e.name === 'ParseHTML' && String(e.args?.beginData?.url ?? '').startsWith(origin));
    if (!parse) throw new Error('no ParseHTML of the page in the trace');
    let wall = 0;
    let cpu = 0;
    for (const e of events) {
      if (e.pid !== parse.pid || e.tid !== parse.tid || e.ph !== 'X') continue;
      if (e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask') continue;
      wall += e.dur ?? 0;
      cpu += e.tdur ?? e.dur ?? 0;
    }
    return { wallMs: Math.round(wall / 1000), cpuMs: Math.round(cpu / 1000) };
  } finally {
    await context.close();
  }
}

async function main() {
  const builds = (args.build ?? []).map((spec) => {
    const [name, dir] = spec.split('=');
    if (!name || !dir) throw new Error(`--build name=dir, not ${spec}`);
    return { name, dir: path.resolve(dir) };
  });
  if (builds.length === 0) throw new Error('at least one --build name=dir');
  say(`load average at start ${os.loadavg().map(r2).join(' ')}`);
  const dbName = `whisper_bench_ab_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${dbName}`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  const databaseUrl = Object.assign(new URL(ADMIN_DATABASE_URL), { pathname: `/${dbName}` }).toString();
  const floorDir = mkdtempSync(path.join(os.tmpdir(), 'whisper-startup-ab-floor-'));
  cleanups.push(async () => rmSync(floorDir, { recursive: true, force: true }));
  await buildFloor(floorDir);
  const pages = [{ name: 'floor', whisper: false, origin: await startServer(databaseUrl, floorDir) }];
  for (const build of builds) pages.push({ name: build.name, whisper: true, origin: await startServer(databaseUrl, build.dir) });

  type Figures = Record<string, number[]>;
  const results: Record<string, Figures> = Object.fromEntries(pages.map((p) => [p.name, {}]));
  const record = (page: string, figure: string, value: number) => (results[page][figure] ??= []).push(value);
  const rotate = <T>(list: T[], by: number) => list.map((_, i) => list[(i + by) % list.length]);

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  cleanups.push(() => browser.close());
  const traceRounds = Number(args['trace-rounds']);
  for (let round = 0; round < traceRounds; round++) {
    const got: Record<string, { wallMs: number; cpuMs: number }> = {};
    for (const page of rotate(pages, round)) {
      // A trace now and then lacks the page's ParseHTML (the page moved renderer): that visit again.
      for (let attempt = 1; ; attempt++) {
        try {
          got[page.name] = await traceStartup(browser, `${page.origin}/chat`, page.whisper);
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
          say(`  ${page.name}: ${(error as Error).message}; again`);
        }
      }
      record(page.name, 'traceWallMs', got[page.name].wallMs);
      record(page.name, 'traceCpuMs', got[page.name].cpuMs);
    }
    for (const build of builds) {
      record(build.name, 'traceWallRatio', r2(got[build.name].wallMs / got.floor.wallMs));
      record(build.name, 'traceCpuRatio', r2(got[build.name].cpuMs / got.floor.cpuMs));
    }
    say(`trace round ${round + 1}/${traceRounds}: ${pages.map((p) => `${p.name} ${got[p.name].wallMs}/${got[p.name].cpuMs}`).join(', ')} (wall/CPU ms, load ${r2(os.loadavg()[0])})`);
  }
  await browser.close();

  const lighthouseRounds = Number(args['lighthouse-rounds']);
  for (let round = 0; round < lighthouseRounds; round++) {
    const got: Record<string, { mainThreadMs: number; mainThreadCpuMs: number; performance: number }> = {};
    for (const page of rotate(pages, round)) {
      got[page.name] = await runLighthouseRetrying(`${page.origin}/chat`, REPORT_DIR, `${page.name}-${round + 1}`, (_name, run) => cleanups.push(run), say);
      record(page.name, 'lhMainThreadMs', got[page.name].mainThreadMs);
      record(page.name, 'lhCpuMs', got[page.name].mainThreadCpuMs);
      record(page.name, 'lhPerformance', got[page.name].performance);
    }
    for (const build of builds) {
      record(build.name, 'lhRatio', r2(got[build.name].mainThreadMs / got.floor.mainThreadMs));
      record(build.name, 'lhCpuRatio', r2(got[build.name].mainThreadCpuMs / got.floor.mainThreadCpuMs));
    }
    say(`lighthouse round ${round + 1}/${lighthouseRounds}: ${pages.map((p) => `${p.name} ${got[p.name].mainThreadMs}/${got[p.name].mainThreadCpuMs}`).join(', ')} (main thread/CPU ms, load ${r2(os.loadavg()[0])})`);
  }

  say(`load average at end ${os.loadavg().map(r2).join(' ')}`);
  for (const page of pages) {
    const figures = Object.entries(results[page.name]).map(([figure, values]) => `${figure} ${r2(median(values))} [${values.join(' ')}]`);
    say(`${page.name}: ${figures.join('; ')}`);
  }
  process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
}

main()
  .catch((error: unknown) => {
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(cleanUp);
