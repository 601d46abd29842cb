/**
 * Shared by the load generators (tests/bench/load/*.ts). A load generator is
 * a child process of run.ts: it reads its settings from the BENCH_CONFIG
 * environment variable (JSON) and talks back in JSON lines on stdout, one
 * event per line ({"event": "log" | "step" | "done" | "error", …}). It exits
 * by itself when its work is done, on any error, and when its parent goes
 * away (its stdin, a pipe from run.ts, reaches end of file).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { assertLoopbackAddress, assertLoopbackUrl } from './loopback.js';

export type LoadEvent =
  | { event: 'log'; message: string }
  | { event: 'step'; [key: string]: unknown }
  | { event: 'done'; [key: string]: unknown }
  | { event: 'error'; message: string };

export function emit(event: LoadEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

export function log(message: string): void {
  emit({ event: 'log', message });
}

/** The settings run.ts passed, with every target address checked to be loopback. */
export function loadConfig<T extends object>(): T {
  const raw = process.env.BENCH_CONFIG;
  if (!raw) throw new Error('BENCH_CONFIG is not set: load generators are started by tests/bench/run.ts');
  const config = JSON.parse(raw) as T & { url?: string; addresses?: string[] };
  if (config.url) assertLoopbackUrl(config.url);
  for (const address of config.addresses ?? []) assertLoopbackAddress(address);
  return config;
}

/**
 * Runs a load generator's main function: reports a thrown error as an
 * `error` event, and exits when run.ts closes our stdin (it died or gave up).
 */
export function runLoadGenerator(main: () => Promise<Record<string, unknown>>): void {
  process.stdin.on('end', () => process.exit(3));
  process.stdin.on('error', () => process.exit(3));
  process.stdin.resume();
  main().then(
    (result) => {
      emit({ event: 'done', ...result });
      process.exit(0);
    },
    (error: unknown) => {
      emit({ event: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    },
  );
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** utime + stime of a process in seconds (Linux /proc), or null when it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name; clock ticks are 100/s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Resident memory of a process in bytes, from /proc/<pid>/status VmRSS. */
export function processRssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine (/proc/stat), for a machine-wide CPU figure. */
export function machineCpuTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/**
 * CPU use over an interval: the load generator itself, an optional server
 * process, and the whole machine (which includes PostgreSQL and anything
 * else running, so a shared machine shows up here).
 */
export class CpuMeter {
  private readonly startWall = performance.now();
  private readonly startSelf = process.cpuUsage();
  private readonly startServer: number | null;
  private readonly startPostgres: Map<number, number>;
  private readonly startMachine = machineCpuTicks();

  /** `postgresPids`: the PostgreSQL backends serving the server under test, if any. */
  constructor(
    private readonly serverPid?: number,
    private readonly postgresPids: number[] = [],
  ) {
    this.startServer = serverPid === undefined ? null : processCpuSeconds(serverPid);
    this.startPostgres = new Map(postgresPids.map((pid) => [pid, processCpuSeconds(pid) ?? 0]));
  }

  /** Percent of one core (100 = one core busy); machine is percent of all cores. */
  read(): { loadgenCpuPct: number; serverCpuPct: number | null; postgresCpuPct: number | null; machineCpuPct: number } {
    const seconds = (performance.now() - this.startWall) / 1000;
    const self = process.cpuUsage(this.startSelf);
    const serverNow = this.serverPid === undefined ? null : processCpuSeconds(this.serverPid);
    let postgres = 0;
    for (const [pid, start] of this.startPostgres) postgres += (processCpuSeconds(pid) ?? start) - start;
    const machine = machineCpuTicks();
    const round = (value: number) => Math.round(value * 10) / 10;
    return {
      loadgenCpuPct: round(((self.user + self.system) / 1e6 / seconds) * 100),
      serverCpuPct: serverNow === null || this.startServer === null ? null : round(((serverNow - this.startServer) / seconds) * 100),
      postgresCpuPct: this.postgresPids.length === 0 ? null : round((postgres / seconds) * 100),
      machineCpuPct: round(((machine.busy - this.startMachine.busy) / Math.max(1, machine.total - this.startMachine.total)) * 100),
    };
  }
}

/**
 * PIDs of the PostgreSQL backends connected to the database at `url` (the
 * server's pool and its LISTEN connection), so their CPU can be counted.
 * Same machine, so /proc sees them. Empty when not a local database.
 */
export async function postgresBackendPids(url: string | undefined): Promise<number[]> {
  if (!url) return [];
  const client = new pg.Client({ connectionString: url, application_name: 'whisper-bench-probe' });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/**
 * The timed part of a throughput run, once the load is flowing: a warm-up,
 * then `durationMs` with `setMeasuring(true)`, CPU counted over exactly that
 * window (the server's process and its PostgreSQL backends).
 */
export async function measureWindow(
  config: { warmupMs: number; durationMs: number; databaseUrl?: string; serverPid?: number },
  setMeasuring: (on: boolean) => void,
): Promise<{ seconds: number; usage: ReturnType<CpuMeter['read']> }> {
  await sleep(config.warmupMs);
  const cpu = new CpuMeter(config.serverPid, await postgresBackendPids(config.databaseUrl));
  const start = performance.now();
  setMeasuring(true);
  await sleep(config.durationMs);
  setMeasuring(false);
  const seconds = (performance.now() - start) / 1000;
  return { seconds, usage: cpu.read() };
}

/** Runs `task` over `items` with at most `limit` running at once. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';

/** Random printable text of exactly `length` characters (never blank). */
export function randomText(length: number): string {
  let text = 'x';
  for (let i = 1; i < length; i++) text += ALPHABET[(Math.random() * ALPHABET.length) | 0];
  return text;
}
