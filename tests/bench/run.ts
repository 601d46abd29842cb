/**
 * `npm run bench`: every benchmark in sequence, each server and each load
 * generator a child process of its own, on 127.0.0.1 only. Prints a markdown
 * report and writes tests/output/bench/results.json and results.md.
 *
 *   npm run bench                          the full run (about 10–15 minutes)
 *   npm run bench -- --quick               small settings, for development
 *   npm run bench -- --only=fanout,ingest  some benchmarks (fanout, ingest,
 *                                          capacity, client-weight, reconnect-flush,
 *                                          catchup, live, upload, search)
 *   npm run bench -- --targets=whisper     fan-out/capacity against some servers
 *   npm run bench -- --profile             CPU profiles of the Whisper servers
 *                                          (fan-out, ingest) in tests/output/bench/profiles;
 *                                          summarise one with lib/profile-summary.ts
 * More knobs: --rates=250,500 --window-ms=5000 --listeners=200 --senders=20
 * --ingest-senders=50 --ingest-window=16 --ingest-ms=10000 --ingest-rounds=3
 * --capacity-steps=1000,10000 --baseline-pool=50, and --whisper-main=<path>
 * to run another server/main.ts (another checkout) as "whisper", to compare.
 *
 * PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres; each benchmark creates its own
 * database there and drops it afterwards, failure or not.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Target } from './lib/clients.js';
import { ADMIN_DATABASE_URL, benchQuery, dropAllBenchDatabases } from './lib/db.js';
import { median } from './lib/histogram.js';
import { machineInfo, type MachineInfo } from './lib/machine.js';
import { assertLoopbackUrl, sourceAddresses } from './lib/loopback.js';
import { killAllNow, OUTPUT_DIR, REPO_ROOT, runLoadGenerator, spawnChild, stopAll } from './lib/procs.js';
import { renderMarkdown } from './lib/report.js';
import { startServer, type RunningServer } from './lib/servers.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    targets: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'whisper-main': { type: 'string' },
    rates: { type: 'string' },
    'window-ms': { type: 'string' },
    listeners: { type: 'string' },
    senders: { type: 'string' },
    'ingest-senders': { type: 'string' },
    'ingest-window': { type: 'string' },
    'ingest-ms': { type: 'string' },
    'ingest-rounds': { type: 'string' },
    'capacity-steps': { type: 'string' },
    'baseline-pool': { type: 'string' },
  },
});

const list = (value: string | undefined) => value?.split(',').map((item) => item.trim()).filter(Boolean);
const numbers = (value: string | undefined) => list(value)?.map(Number);
const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

const ALL_BENCHMARKS = ['fanout', 'ingest', 'capacity', 'client-weight', 'reconnect-flush', 'catchup', 'live', 'upload', 'search'] as const;
type BenchmarkName = (typeof ALL_BENCHMARKS)[number];
const only = (list(args.only) ?? [...ALL_BENCHMARKS]) as BenchmarkName[];
for (const name of only) if (!ALL_BENCHMARKS.includes(name)) throw new Error(`unknown benchmark ${name}; one of ${ALL_BENCHMARKS.join(', ')}`);
const targets = (list(args.targets) ?? ['whisper', 'bare', 'socketio']) as Target[];

const quick = args.quick;
export const settings = {
  fanout: {
    listeners: number(args.listeners) ?? (quick ? 40 : 200),
    senders: number(args.senders) ?? (quick ? 5 : 20),
    rates: numbers(args.rates) ?? (quick ? [100, 200, 400, 800] : [125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000]),
    windowMs: number(args['window-ms']) ?? (quick ? 1500 : 5000),
    drainMs: quick ? 2000 : 5000,
    contentBytes: 64,
    maxConsecutiveFailures: 2,
    passDelivered: 0.999,
    passP95Ms: 250,
    perAddress: 50,
    connectConcurrency: 50,
  },
  ingest: {
    senders: number(args['ingest-senders']) ?? (quick ? 10 : 50),
    window: number(args['ingest-window']) ?? (quick ? 4 : 16),
    warmupMs: quick ? 500 : 2000,
    durationMs: number(args['ingest-ms']) ?? (quick ? 2000 : 10000),
    rounds: number(args['ingest-rounds']) ?? (quick ? 1 : 3),
    contentBytes: [20, 400] as [number, number],
    perAddress: 50,
    connectConcurrency: 50,
    baselinePool: number(args['baseline-pool']) ?? undefined,
  },
  capacity: {
    steps: numbers(args['capacity-steps']) ?? (quick ? [200, 500] : [1000, 2500, 5000, 7500, 10000]),
    perAddress: 100,
    settleMs: quick ? 1000 : 3000,
    rssLimitBytes: 1024 ** 3,
    connectConcurrency: 100,
  },
};

const results: {
  date: string;
  quick: boolean;
  machine: MachineInfo | null;
  sharedMachineNote: string;
  reproduce: string;
  settings: typeof settings;
  targets: Target[];
  benchmarks: Record<string, unknown>;
} = {
  date: new Date().toISOString(),
  quick,
  machine: null,
  sharedMachineNote: '',
  reproduce: '',
  settings,
  targets,
  benchmarks: {},
};

function say(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** Prints a load generator's progress as it happens. */
function progress(event: Record<string, unknown>): void {
  if (event.event === 'log') say(`  ${String(event.message)}`);
  else if (event.event === 'step') {
    const { event: _kind, ...rest } = event;
    say(`  step ${JSON.stringify(rest)}`);
  }
}

// ---------------------------------------------------------------- fan-out

async function fanout(): Promise<Record<string, unknown>> {
  const s = settings.fanout;
  const addresses = sourceAddresses(Math.ceil((s.listeners + s.senders) / s.perAddress));
  const byTarget: Record<string, unknown> = {};
  for (const target of targets) {
    say(`fan-out: ${target}`);
    let server: RunningServer | undefined;
    try {
      server = await startServer(target, { cpuProfile: target === 'whisper' && args.profile, whisperMain: args['whisper-main'] });
      const { done } = await runLoadGenerator(
        `fanout-${target}`,
        'fanout.ts',
        { ...s, target, url: server.url, addresses, serverPid: server.pid, databaseUrl: server.databaseUrl },
        { timeoutMs: 30 * 60_000, onEvent: progress },
      );
      byTarget[target] = done;
    } catch (error) {
      say(`fan-out ${target} failed: ${(error as Error).message}`);
      byTarget[target] = { target, error: (error as Error).message };
    } finally {
      await server?.stop();
    }
  }
  for (const result of Object.values(byTarget) as FanoutResult[]) if (result.steps) result.limitedBy = limitOf(result.steps);
  const maxRate = (target: string) => (byTarget[target] as FanoutResult | undefined)?.maxRate;
  const ratio = (a: string, b: string) => {
    const x = maxRate(a);
    const y = maxRate(b);
    if (x === undefined || y === undefined) return null;
    // A server that held no rate at all: the ratio is at least x / the lowest rate tried.
    if (y === 0) return { value: null, atLeast: Math.round((x / Math.min(...s.rates)) * 100) / 100 };
    return { value: Math.round((x / y) * 100) / 100, atLeast: null };
  };
  return {
    targets: byTarget,
    ratios: { whisperOverBare: ratio('whisper', 'bare'), whisperOverSocketIo: ratio('whisper', 'socketio') },
    target: 'Whisper ≥ 3× bare ws and ≥ 3× Socket.IO (highest rate with ≥ 99.9 % delivered and p95 ≤ 250 ms)',
  };
}

interface FanoutStep {
  rate: number;
  pass: boolean;
  achievedSendRate: number;
  serverCpuPct: number | null;
  loadgenCpuPct: number;
  loadgenLoopDelayP99: number;
  machineCpuPct: number;
}
interface FanoutResult {
  maxRate?: number;
  steps?: FanoutStep[];
  limitedBy?: string;
}

/**
 * What most likely stopped the ramp, read from the first failed step after
 * the highest one held: a load generator that could not keep up (send rate
 * short, or its event loop lagging), the server's CPU, the machine's CPU
 * (everything on it, other people's work included), or else latency the
 * server and PostgreSQL added with CPU to spare.
 */
function limitOf(steps: FanoutStep[]): string {
  const failed = steps.find((step) => !step.pass);
  if (!failed) return 'nothing: every rate tried was held';
  if (failed.achievedSendRate < failed.rate * 0.95 || failed.loadgenLoopDelayP99 > 100 || failed.loadgenCpuPct >= 90) {
    return `load generator at ${failed.rate} msg/s (sent ${failed.achievedSendRate}/s, its CPU ${failed.loadgenCpuPct} %, loop delay p99 ${failed.loadgenLoopDelayP99} ms)`;
  }
  if ((failed.serverCpuPct ?? 0) >= 90) return `server CPU at ${failed.rate} msg/s (${failed.serverCpuPct} % of a core)`;
  if (failed.machineCpuPct >= 95) return `machine CPU at ${failed.rate} msg/s (${failed.machineCpuPct} % of all cores, everything on the machine)`;
  return `latency at ${failed.rate} msg/s with CPU to spare (server ${failed.serverCpuPct} %, machine ${failed.machineCpuPct} %)`;
}

// ---------------------------------------------------------------- ingest

const INGEST_ROOM = 'ingest';

/**
 * Whisper and the baseline take turns (Whisper, baseline, Whisper, …), each
 * round on a fresh database, so that whatever else the machine is doing
 * lands on both; the figures quoted are medians over the rounds, and the
 * ratio is the median of the rounds' side-by-side ratios.
 */
async function ingest(): Promise<Record<string, unknown>> {
  const s = settings.ingest;
  const rounds: IngestRound[] = [];
  try {
    for (let round = 1; round <= s.rounds; round++) rounds.push(await ingestRound(round));
  } catch (error) {
    say(`ingest failed: ${(error as Error).message}`);
    return { rounds, error: (error as Error).message };
  }
  const ratios = rounds.map((round) => round.ratio).filter((ratio): ratio is number => ratio !== null);
  return {
    rounds,
    whisper: { ackedPerSecond: median(rounds.map((round) => round.whisper.ackedPerSecond as number)) },
    baseline: { ackedPerSecond: median(rounds.map((round) => round.baseline.ackedPerSecond as number)), poolSize: rounds[0]?.baseline.poolSize },
    ratio: ratios.length > 0 ? median(ratios) : null,
    everyAckStored: rounds.every((round) => round.whisper.everyAckStored === true),
    target: 'Whisper ≥ 3× one INSERT per message through a pg.Pool',
  };
}

interface IngestRound {
  round: number;
  whisper: Record<string, unknown>;
  baseline: Record<string, unknown>;
  ratio: number | null;
}

async function ingestRound(round: number): Promise<IngestRound> {
  const s = settings.ingest;
  const addresses = sourceAddresses(Math.ceil(s.senders / s.perAddress));
  let server: RunningServer | undefined;
  try {
    say(`ingest round ${round}/${s.rounds}: whisper`);
    server = await startServer('whisper', { cpuProfile: args.profile, whisperMain: args['whisper-main'] });
    const databaseUrl = server.databaseUrl!;
    await benchQuery(databaseUrl, `INSERT INTO rooms (id, name, everyone) VALUES ($1, 'Ingest benchmark', true)`, [INGEST_ROOM]);
    const { done: whisper } = await runLoadGenerator(
      `ingest-whisper-${round}`,
      'ingest.ts',
      { ...s, url: server.url, addresses, roomId: INGEST_ROOM, serverPid: server.pid, databaseUrl },
      { timeoutMs: 10 * 60_000, onEvent: progress },
    );
    // Every ack must stand for a stored row.
    const [{ count }] = await benchQuery(databaseUrl, 'SELECT count(*)::int AS count FROM messages WHERE room_id = $1', [INGEST_ROOM]);
    whisper.storedRows = count;
    whisper.everyAckStored = count >= (whisper.ackedTotal as number);

    // The baseline runs on the same database once the server has stopped.
    await server.child.stop(15_000);
    say(`ingest round ${round}/${s.rounds}: baseline (one INSERT per message through pg.Pool)`);
    await benchQuery(
      databaseUrl,
      `CREATE TABLE bench_baseline_messages (LIKE messages INCLUDING ALL);
       CREATE SEQUENCE bench_baseline_seq;`,
    );
    const poolSize = s.baselinePool ?? s.senders;
    const { done: baseline } = await runLoadGenerator(
      `ingest-baseline-${round}`,
      'ingest-baseline.ts',
      { ...s, databaseUrl, table: 'bench_baseline_messages', sequence: 'bench_baseline_seq', roomId: INGEST_ROOM, poolSize },
      { timeoutMs: 10 * 60_000, onEvent: progress },
    );
    baseline.poolSize = poolSize;
    const w = whisper.ackedPerSecond as number;
    const b = baseline.ackedPerSecond as number;
    return { round, whisper, baseline, ratio: b > 0 ? Math.round((w / b) * 100) / 100 : null };
  } finally {
    await server?.stop();
  }
}

// ---------------------------------------------------------------- capacity

async function capacity(): Promise<Record<string, unknown>> {
  const s = settings.capacity;
  const max = Math.max(...s.steps);
  const addresses = sourceAddresses(Math.ceil(max / s.perAddress));
  const byTarget: Record<string, unknown> = {};
  for (const target of targets) {
    say(`capacity: ${target}`);
    let server: RunningServer | undefined;
    try {
      server = await startServer(target, { raiseFdLimit: true, whisperMain: args['whisper-main'] });
      const { done } = await runLoadGenerator(
        `capacity-${target}`,
        'capacity.ts',
        { ...s, target, url: server.url, addresses, serverPid: server.pid },
        { timeoutMs: 20 * 60_000, raiseFdLimit: true, onEvent: progress },
      );
      byTarget[target] = done;
    } catch (error) {
      say(`capacity ${target} failed: ${(error as Error).message}`);
      byTarget[target] = { target, error: (error as Error).message };
    } finally {
      await server?.stop();
    }
  }
  return { targets: byTarget, target: 'Whisper holds ≥ 10,000 idle sockets within 1 GB RSS' };
}

// ------------------------------------------------- steps owned by others

const EXTERNAL_TIMEOUT_MS = 15 * 60_000;

/**
 * A benchmark script another engineer owns (tests/bench/<name>.ts): run
 * when the file exists; it prints one `RESULT {json}` line.
 */
async function external(
  name: 'client-weight' | 'reconnect-flush' | 'multi-room-catchup' | 'live-signals' | 'upload-resume' | 'search',
  needsBuild: boolean,
  extraArgs: string[] = [],
): Promise<Record<string, unknown>> {
  const file = path.join('tests/bench', `${name}.ts`);
  if (!existsSync(path.join(REPO_ROOT, file))) return { skipped: `${file} does not exist (yet)` };
  if (needsBuild) {
    say(`${name}: npm run build`);
    const build = spawnChild(`${name}-build`, ['npm', 'run', 'build'], { processGroup: true });
    const { code } = await build.exited;
    if (code !== 0) return { error: `npm run build failed (code ${code}); see ${build.logPath}` };
  }
  say(`${name}: node --import tsx ${[file, ...extraArgs].join(' ')}`);
  let result: unknown = null;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: ADMIN_DATABASE_URL };
  delete env.BENCH_CONFIG;
  const child = spawnChild(name, ['node', '--import', 'tsx', file, ...extraArgs], {
    env,
    processGroup: true,
    onStdoutLine: (line) => {
      const match = /^RESULT (\{.*\})\s*$/.exec(line);
      if (match) result = JSON.parse(match[1]);
    },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.stop(15_000);
  }, EXTERNAL_TIMEOUT_MS);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  // Anything it started and left running (its group outlives it) goes now.
  await child.stop();
  if (timedOut) return { error: `timed out after ${EXTERNAL_TIMEOUT_MS / 60_000} min; see ${child.logPath}`, result, tail: child.tail.slice(-10) };
  if (result === null) return { error: `no RESULT line (exit code ${code}, signal ${signal}); see ${child.logPath}`, tail: child.tail.slice(-10) };
  return { result, exitCode: code };
}

// ---------------------------------------------------------------- main

let cleaningUp = false;
let interrupted = false;
async function cleanUp(): Promise<void> {
  if (cleaningUp) return;
  cleaningUp = true;
  await stopAll();
  await dropAllBenchDatabases();
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    interrupted = true;
    say(`${signal}: stopping every child and dropping bench databases`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  assertLoopbackUrl(ADMIN_DATABASE_URL);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  results.machine = await machineInfo();
  const m = results.machine;
  say(`${m.cpuModel} × ${m.cpuCount}, ${m.totalMemoryGiB} GiB, node ${m.node}, PostgreSQL ${m.postgres}, load average ${m.loadAverageAtStart.join(' ')}`);
  const argv = process.argv.slice(2);
  results.reproduce = `npm install && npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}  (PostgreSQL from BENCH_DATABASE_URL, DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)`;
  const runners: Record<BenchmarkName, () => Promise<Record<string, unknown>>> = {
    fanout,
    ingest,
    capacity,
    'client-weight': () => external('client-weight', true),
    'reconnect-flush': () => external('reconnect-flush', false),
    // M5: one sync for 100 rooms × 10 missed entries vs one room at a time (tests/bench/multi-room-catchup.ts).
    catchup: () => external('multi-room-catchup', false),
    // Issue 15: presence, typing and receipts per socket, 1,000 sockets in 50 groups (tests/bench/live-signals.ts).
    live: () => external('live-signals', false, quick ? ['--quick'] : []),
    // Issue 16: a 20 MB upload through a link cut every 2 s, the app's tus client resuming (tests/bench/upload-resume.ts).
    upload: () => external('upload-resume', false),
    // Q1: GET /v1/search over 1,000,000 messages in 200 groups for a member of 50 (tests/bench/search.ts; its seeded database is kept between runs).
    search: () => external('search', false),
  };
  for (const name of only) {
    if (interrupted) return;
    const started = Date.now();
    try {
      results.benchmarks[name] = { ...(await runners[name]()), seconds: Math.round((Date.now() - started) / 1000) };
    } catch (error) {
      results.benchmarks[name] = { error: (error as Error).stack ?? String(error) };
    }
    // Whatever a benchmark left behind goes before the next one starts.
    await cleanUp();
    cleaningUp = false;
  }
  if (interrupted) return;
  results.sharedMachineNote = 'Measured on the machine described above; other work may have been running on it (see machine.loadAverageAtStart and the machine CPU column).';
  const markdown = renderMarkdown(results);
  writeFileSync(path.join(OUTPUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(OUTPUT_DIR, 'results.md'), markdown);
  console.log(`\n${markdown}`);
  say(`wrote ${path.relative(REPO_ROOT, path.join(OUTPUT_DIR, 'results.json'))} and results.md`);
}

main()
  .catch(async (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
  });
