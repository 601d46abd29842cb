/**
 * S5: `npm start` with no DATABASE_URL runs a real PostgreSQL it manages,
 * migrates it and serves; it stops cleanly on a signal and comes back after
 * a crash (SIGKILL of the server leaves an orphaned postgres behind).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, item, restSend, waitFor } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { processExists } from '../support/process-exists.js';

/** initdb plus the first start can take a while on a 2-core CI machine. */
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

let dataDir: string;
let port: number;
const started: ChildProcess[] = [];

function startServer(extraEnv: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', ...extraEnv };
  delete env.DATABASE_URL;
  if (!('LOG_FORMAT' in extraEnv)) delete env.LOG_FORMAT;
  // Same entry point as `npm start`, without npm in between so the PID is the server's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function healthy(): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return response.status === 200;
  } catch {
    return false;
  }
}

async function postmasterPid(): Promise<number | null> {
  const file = path.join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return null;
  return Number((await readFile(file, 'utf8')).split('\n')[0]);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'whisper-start-'));
  await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  port = await freePort();
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  const pid = await postmasterPid();
  if (pid && processExists(pid)) process.kill(pid, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded default (S5)', () => {
  it('[S5][S4] starts, migrates and serves; an acked message survives SIGKILL; a restart recovers; SIGINT stops cleanly', async () => {
    const first = startServer();
    await waitFor(healthy, START_TIMEOUT_MS, `first start: ${first.output()}`).catch((error) => {
      throw new Error(`${error.message}\n${first.output()}`);
    });
    // Not a terminal (a pipe): JSON lines, one of them saying where the app is.
    const running = `Whisper is running at http://127.0.0.1:${port}`;
    await waitFor(() => first.output().includes(running), 5_000, 'the running line');
    const messages = first.output().split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { msg?: string }).msg);
    expect(messages, first.output()).toContain(running);
    const session = await createSession(`http://127.0.0.1:${port}`);
    const message = item('survives a crash');
    const sent = await restSend(`http://127.0.0.1:${port}`, session.token, { data: [message] });
    expect(sent.status).toBe(200);
    const orphan = await postmasterPid();
    expect(orphan).not.toBeNull();

    // A crash: the server dies without any chance to stop its database.
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startServer();
    await waitFor(healthy, START_TIMEOUT_MS, 'restart after SIGKILL').catch((error) => {
      throw new Error(`${error.message}\n${second.output()}`);
    });
    const history = (await (await fetch(`http://127.0.0.1:${port}/v1/chat/messages`)).json()) as { data: { id: string; client_id: string }[] };
    expect(history.data.filter((m) => m.client_id === message.client_id).map((m) => m.id)).toEqual(sent.body.message_ids);
    // The same identity still works: the token secret persisted under DATA_DIR.
    expect((await restSend(`http://127.0.0.1:${port}`, session.token, { data: [item('after restart')] })).status).toBe(200);

    // Ctrl-C: drains, stops PostgreSQL, exits 0.
    const pgPid = await postmasterPid();
    second.child.kill('SIGINT');
    const code = await Promise.race([second.exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS))]);
    expect(code, second.output()).toBe(0);
    expect(pgPid !== null && processExists(pgPid)).toBe(false);
    expect(await postmasterPid()).toBeNull();
    expect(first.output()).toContain('migrations applied');
    expect(second.output()).not.toContain('migrations applied');
  }, START_TIMEOUT_MS * 3);

  it('[S5] a start after a clean stop serves the same data; LOG_FORMAT=pretty logs readable lines', async () => {
    const third = startServer({ LOG_FORMAT: 'pretty' });
    await waitFor(healthy, START_TIMEOUT_MS, 'third start').catch((error) => {
      throw new Error(`${error.message}\n${third.output()}`);
    });
    await waitFor(() => third.output().includes(`INFO: Whisper is running at http://127.0.0.1:${port}`), 5_000, `the running line in\n${third.output()}`);
    expect(third.output().split('\n').filter((line) => line.startsWith('{')), 'no JSON lines').toEqual([]);
    const history = (await (await fetch(`http://127.0.0.1:${port}/v1/chat/messages`)).json()) as { data: unknown[] };
    expect(history.data.length).toBe(2);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, START_TIMEOUT_MS * 2);
});
