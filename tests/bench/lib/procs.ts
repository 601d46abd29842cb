/**
 * Child processes of run.ts: every server and load generator is started
 * here, remembered by PID, and stopped by PID (SIGTERM, then SIGKILL after a
 * grace period). A child that starts children of its own (the scripts other
 * engineers own) runs in a process group of its own, and the signals go to
 * that group (-PID), so nothing it started is left behind. killAllNow() is
 * the last resort on exit. Nothing is ever killed by name. Each child's stdout and stderr go to a log file under
 * tests/output/bench/logs/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processExists } from '../../support/process-exists.js';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const OUTPUT_DIR = path.join(REPO_ROOT, 'tests/output/bench');
export const LOG_DIR = path.join(OUTPUT_DIR, 'logs');

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  logPath: string;
  /** The last lines of output, for error messages. */
  tail: string[];
  /** Called with every stdout line from now on; returns the unsubscribe function. */
  onLine(listener: (line: string) => void): () => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** What signals go to: the PID, or -PID for a child in its own process group. */
  signalTarget: number;
}

const live = new Set<Child>();
let counter = 0;

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Run through `sh -c 'ulimit -n <hard limit>; exec …'` so the child may open many sockets. */
  raiseFdLimit?: boolean;
  /** Own process group (PGID = its PID): stop() signals the child and everything it started. */
  processGroup?: boolean;
  onStdoutLine?: (line: string) => void;
}

export function spawnChild(name: string, command: string[], options: SpawnOptions = {}): Child {
  mkdirSync(LOG_DIR, { recursive: true });
  const logPath = path.join(LOG_DIR, `${String(++counter).padStart(2, '0')}-${name}.log`);
  const logStream: WriteStream = createWriteStream(logPath);
  const [file, ...args] = options.raiseFdLimit
    ? ['sh', '-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...command]
    : command;
  const child = spawn(file, args, { cwd: REPO_ROOT, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: options.processGroup ?? false });
  if (child.pid === undefined) throw new Error(`could not start ${name}: ${command.join(' ')}`);
  const tail: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    for (const listener of lineListeners) listener(line);
    remember(line);
    logStream.write(`${line}\n`);
    options.onStdoutLine?.(line);
  });
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    remember(line);
    logStream.write(`${line}\n`);
  });
  // A child that exits early closes the pipe; writing to it must not crash run.ts.
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(handle);
      logStream.end(`[exit code=${code} signal=${signal}]\n`);
      resolve({ code, signal });
    });
  });
  const pid = child.pid;
  // A negative PID signals the whole process group the child leads.
  const target = options.processGroup ? -pid : pid;
  const handle: Child = {
    name,
    pid,
    process: child,
    logPath,
    tail,
    onLine(listener) {
      lineListeners.add(listener);
      return () => lineListeners.delete(listener);
    },
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        // The leader is gone; whatever it started in its group goes too.
        if (options.processGroup && processExists(target)) {
          signal(target, 'SIGTERM');
          const deadline = Date.now() + graceMs;
          while (processExists(target) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
          signal(target, 'SIGKILL');
        }
        return;
      }
      signal(target, 'SIGTERM');
      const killed = setTimeout(() => signal(target, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(killed);
    },
    signalTarget: target,
  };
  live.add(handle);
  return handle;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** SIGKILL every child still running (process exit, where nothing can be awaited). */
export function killAllNow(): void {
  for (const child of live) signal(child.signalTarget, 'SIGKILL');
}

/** Stops every child still running, politely first. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => child.stop(5_000)));
}

/** Resolves when the child prints a stdout line matching `pattern`; rejects if it exits first or time runs out. */
export function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${child.name}: no line matching ${pattern} within ${timeoutMs} ms\n${child.tail.join('\n')}`)), timeoutMs);
    const finish = (result: Error | RegExpMatchArray) => {
      clearTimeout(timer);
      unsubscribe();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const unsubscribe = child.onLine((line) => {
      const match = pattern.exec(line);
      if (match) finish(match);
    });
    void child.exited.then(({ code, signal: sig }) => finish(new Error(`${child.name} exited (code ${code}, signal ${sig}) before ${pattern}\n${child.tail.join('\n')}`)));
  });
}

export interface LoadResult {
  done: Record<string, unknown>;
  steps: Record<string, unknown>[];
}

/**
 * Runs a load generator (tests/bench/load/<script>.ts) to completion: its
 * settings go in BENCH_CONFIG, its JSON-line events come back on stdout.
 */
export async function runLoadGenerator(
  name: string,
  script: string,
  config: Record<string, unknown>,
  options: { timeoutMs: number; raiseFdLimit?: boolean; onEvent?: (event: Record<string, unknown>) => void },
): Promise<LoadResult> {
  const steps: Record<string, unknown>[] = [];
  let done: Record<string, unknown> | null = null;
  let failure: string | null = null;
  const child = spawnChild(name, ['node', '--import', 'tsx', path.join('tests/bench/load', script)], {
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
    raiseFdLimit: options.raiseFdLimit,
    onStdoutLine: (line) => {
      if (!line.startsWith('{')) return;
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      options.onEvent?.(event);
      if (event.event === 'step') steps.push(event);
      else if (event.event === 'done') done = event;
      else if (event.event === 'error') failure = String(event.message);
    },
  });
  const timer = setTimeout(() => {
    failure = `timed out after ${options.timeoutMs} ms`;
    void child.stop(2_000);
  }, options.timeoutMs);
  const { code, signal: sig } = await child.exited;
  clearTimeout(timer);
  if (failure !== null || done === null) {
    throw new Error(`${name}: ${failure ?? `exited (code ${code}, signal ${sig}) without a result`}\n${child.tail.slice(-15).join('\n')}`);
  }
  return { done, steps };
}
