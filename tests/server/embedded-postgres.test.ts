import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../server/infra/embedded-postgres.js';

/** initdb plus a start and a crash recovery take a few seconds; CI disks are slow. */
const TEST_TIMEOUT_MS = 60_000;
const CHILD_READY_TIMEOUT_MS = 45_000;
const PID_GONE_TIMEOUT_MS = 10_000;

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const modulePath = path.join(projectRoot, 'server', 'infra', 'embedded-postgres.ts');

let tmpRoot = '';
/** Every postmaster and child this file started, killed in afterAll if a test failed midway. */
const startedPids = new Set<number>();
const children = new Set<ChildProcess>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (exited, not yet reaped by its new parent) is gone for our purposes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs = PID_GONE_TIMEOUT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function postmasterPid(dataDir: string): number {
  const pid = Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  expect(pid).toBeGreaterThan(0);
  startedPids.add(pid);
  return pid;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function collectLog(): { log: (level: string, msg: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, msg) => lines.push(`${level}: ${msg}`) };
}

/** Runs the module in a separate Node process, the way the server would. */
async function startInChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const script = path.join(tmpRoot, 'owner.mts');
  await writeFile(
    script,
    [
      `import { startEmbeddedPostgres } from ${JSON.stringify(pathToFileURL(modulePath).href)};`,
      `const handle = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });`,
      `console.log('URL ' + handle.url);`,
      `setInterval(() => {}, 1 << 30);`,
    ].join('\n'),
  );
  // `node --import tsx` rather than the tsx CLI: the CLI runs the script in
  // a grandchild, and SIGKILLing the CLI would leave that grandchild alive.
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  if (child.pid) startedPids.add(child.pid);

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`child did not print its URL in time.\nstdout: ${stdout}\nstderr: ${stderr}`)),
      CHILD_READY_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^URL (\S+)$/m.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child exited early (code ${code}, signal ${signal}).\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  return { child, url };
}

beforeAll(async () => {
  tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'whisper-embedded-pg-'));
  // As root the cluster runs as the "postgres" user, which must be able to
  // enter the (by default 0700) temp dir.
  await chmod(tmpRoot, 0o755);
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pid of startedPids) {
    if (!isAlive(pid)) continue;
    // Only our own processes: a recycled pid would not mention our temp dir.
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.includes(tmpRoot)) continue;
    process.kill(pid, 'SIGKILL');
    await waitGone(pid);
  }
  if (tmpRoot) await rm(tmpRoot, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  it(
    '[S5] starts a real PostgreSQL, creates the database, and stops',
    async () => {
      const dataDir = path.join(tmpRoot, 'fresh', 'postgres');
      const { log, lines } = collectLog();
      const handle = await startEmbeddedPostgres({ dataDir, log });
      const pid = postmasterPid(dataDir);

      expect(handle.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/whisper$/);
      const rows = await query<{ one: number; db: string; encoding: string }>(
        handle.url,
        "SELECT 1 AS one, current_database() AS db, current_setting('server_encoding') AS encoding",
      );
      expect(rows).toEqual([{ one: 1, db: 'whisper', encoding: 'UTF8' }]);
      expect(existsSync(path.join(tmpRoot, 'fresh', 'whisper-owner.pid'))).toBe(true);
      expect(lines.some((line) => line.startsWith('debug: '))).toBe(true);

      await handle.stop();
      await handle.stop(); // idempotent

      expect(isAlive(pid)).toBe(false);
      expect(existsSync(path.join(tmpRoot, 'fresh', 'whisper-owner.pid'))).toBe(false);
      expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '[S5] comes back after the owning process was SIGKILLed',
    async () => {
      const dataDir = path.join(tmpRoot, 'crash', 'postgres');
      const { child, url } = await startInChild(dataDir);
      const orphanPid = postmasterPid(dataDir);

      await query(url, 'CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
      await query(url, "INSERT INTO notes VALUES (1, 'survives a SIGKILL')");

      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      // The scenario under test: postgres outlives its killed parent, still
      // holding the data dir, and the owner lock names a dead process.
      expect(isAlive(orphanPid)).toBe(true);
      expect(existsSync(path.join(tmpRoot, 'crash', 'whisper-owner.pid'))).toBe(true);

      const { log, lines } = collectLog();
      const handle = await startEmbeddedPostgres({ dataDir, log });
      try {
        const pid = postmasterPid(dataDir);
        expect(pid).not.toBe(orphanPid);
        expect(isAlive(orphanPid)).toBe(false);
        expect(lines.some((line) => line.includes(`orphaned PostgreSQL (pid ${orphanPid})`))).toBe(true);

        const rows = await query<{ id: number; body: string }>(handle.url, 'SELECT id, body FROM notes');
        expect(rows).toEqual([{ id: 1, body: 'survives a SIGKILL' }]);
      } finally {
        await handle.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '[S5] explains a taken port instead of failing silently',
    async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      const dataDir = path.join(tmpRoot, 'port', 'postgres');
      try {
        await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
          new RegExp(`127\\.0\\.0\\.1:${port}.*EMBEDDED_PG_PORT[\\s\\S]*Address already in use`),
        );
        // A failed start must not leave a lock that blocks the next attempt.
        expect(existsSync(path.join(tmpRoot, 'port', 'whisper-owner.pid'))).toBe(false);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
    TEST_TIMEOUT_MS,
  );
});
