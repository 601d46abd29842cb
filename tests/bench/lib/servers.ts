/**
 * The servers under test, each a child process on 127.0.0.1:
 * - whisper: server/main.ts on a fresh bench database, LOG_LEVEL=warn, with
 *   the per-socket rate limits raised so they never cap a benchmark sender
 *   (the per-address limits stay as shipped: the load generators spread
 *   their sockets over loopback source addresses instead);
 * - bare: tests/bench/servers/bare-ws.ts;
 * - socketio: tests/bench/servers/socketio.ts.
 * stop() ends the process by PID and drops the database, whatever happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Target } from './clients.js';
import { createBenchDatabase, dropBenchDatabase } from './db.js';
import { freePort } from '../../support/free-port.js';
import { OUTPUT_DIR, spawnChild, waitForLine, type Child } from './procs.js';

export interface RunningServer {
  target: Target;
  /** Where the load generator connects. */
  url: string;
  pid: number;
  /** Whisper only: its database. */
  databaseUrl?: string;
  child: Child;
  stop(): Promise<void>;
}

/** High enough that no benchmark sender ever meets them. */
const UNLIMITED = '1000000000';
const START_TIMEOUT_MS = 60_000;
const TOKEN_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

export interface ServerOptions {
  raiseFdLimit?: boolean;
  /** Whisper only: write a V8 CPU profile into tests/output/bench/profiles on exit. */
  cpuProfile?: boolean;
  /** Whisper only: another entry point than server/main.ts (e.g. an older checkout, to compare). */
  whisperMain?: string;
}

export async function startServer(target: Target, options: ServerOptions = {}): Promise<RunningServer> {
  if (target !== 'whisper') return startPlain(target, options);
  // Whisper needs its port up front (it logs nothing at warn level when it
  // listens); a port taken between the probe and the listen means another try.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWhisper(options);
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE/.test((error as Error).message)) throw error;
    }
  }
}

function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Settings meant for run.ts or another tool must not leak into a server.
  for (const key of ['DATABASE_URL', 'TRUST_PROXY', 'BENCH_CONFIG', 'NODE_OPTIONS', 'PORT', 'HOST']) delete env[key];
  return env;
}

async function startWhisper(options: ServerOptions): Promise<RunningServer> {
  const database = await createBenchDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'whisper-bench-'));
  const port = await freePort();
  const nodeArgs = options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(OUTPUT_DIR, 'profiles')}`] : [];
  let child: Child | undefined;
  const cleanup = async () => {
    await child?.stop(15_000);
    rmSync(dataDir, { recursive: true, force: true });
    await dropBenchDatabase(database.name);
  };
  try {
    child = spawnChild('whisper-server', ['node', '--max-semi-space-size=32', ...nodeArgs, '--import', 'tsx', options.whisperMain ?? 'server/main.ts'], {
      raiseFdLimit: options.raiseFdLimit,
      env: {
        ...baseEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        TOKEN_SECRET,
        LOG_LEVEL: 'warn',
        CLIENT_DIR: path.join(dataDir, 'no-client-build'),
        SOCKET_FRAME_BURST: UNLIMITED,
        SOCKET_FRAMES_PER_SECOND: UNLIMITED,
        SOCKET_MESSAGE_BURST: UNLIMITED,
        SOCKET_MESSAGES_PER_SECOND: UNLIMITED,
        // Thousands of identities, each greeted in a DM of its own, would be a load of their own.
        BOT_GREETING: '0',
      },
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.process.exitCode !== null) throw new Error(`whisper server exited at start:\n${child.tail.join('\n')}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`whisper server not healthy within ${START_TIMEOUT_MS} ms:\n${child.tail.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    target: 'whisper',
    url: `ws://127.0.0.1:${port}/v1/chat/ws`,
    pid: child.pid,
    databaseUrl: database.url,
    child,
    stop: cleanup,
  };
}

async function startPlain(target: 'bare' | 'socketio', options: ServerOptions): Promise<RunningServer> {
  const script = target === 'bare' ? 'tests/bench/servers/bare-ws.ts' : 'tests/bench/servers/socketio.ts';
  const child = spawnChild(`${target}-server`, ['node', '--import', 'tsx', script], {
    raiseFdLimit: options.raiseFdLimit,
    env: { ...baseEnv(), PORT: '0' },
  });
  let port: number;
  try {
    port = Number((await waitForLine(child, /^listening (\d+)/, START_TIMEOUT_MS))[1]);
  } catch (error) {
    await child.stop(2_000);
    throw error;
  }
  return {
    target,
    url: target === 'bare' ? `ws://127.0.0.1:${port}/` : `http://127.0.0.1:${port}`,
    pid: child.pid,
    child,
    stop: () => child.stop(5_000),
  };
}
