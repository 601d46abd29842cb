import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './fixtures.js';
import { TEST_TOKEN_SECRET } from './test-server.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx compiles the server on start; a busy CI machine takes its time. */
const CHILD_START_TIMEOUT_MS = 30_000;

/**
 * `npm start`'s entry point as a child process on `databaseUrl`, for tests
 * that SIGKILL an instance. Resolves once /healthz answers; `env` adds to
 * or overrides the defaults (quiet JSON logs, no client build, the tests'
 * token secret).
 */
export async function startChildServer(databaseUrl: string, port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      TOKEN_SECRET: TEST_TOKEN_SECRET,
      CLIENT_DIR: '/nonexistent-client-build',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the child server exited:\n${output.join('')}`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
      },
      CHILD_START_TIMEOUT_MS,
      'the child server',
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}
