import { existsSync } from 'node:fs';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { configDefaults, defineConfig } from 'vitest/config';

const protocol = path.resolve(import.meta.dirname, 'server/protocol/index.ts');

// Browser tests need Debian's Chromium. A developer without it may opt out
// with WHISPER_SKIP_BROWSER_TESTS=1 (said out loud below); CI never does, so
// there a missing browser fails the run.
const skipBrowserTests = !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && process.env.WHISPER_SKIP_BROWSER_TESTS === '1' && process.env.CI !== 'true';
if (skipBrowserTests) console.warn('\n!! Chromium not found and WHISPER_SKIP_BROWSER_TESTS=1: the browser (e2e) tests are NOT run.\n');
const browserProjects = skipBrowserTests
  ? []
  : [
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/setup/postgres.global.ts', 'tests/setup/client-build.global.ts'],
          // Real Chromium against the real server: generous, and one file at
          // a time so browsers do not fight the other suites for 2 cores.
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          environment: 'node',
          include: ['tests/server/**/*.test.ts'],
          globalSetup: ['tests/setup/postgres.global.ts'],
          // Real PostgreSQL and real sockets: allow for a slow CI machine.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...browserProjects,
      {
        plugins: [react()],
        resolve: { alias: { '@whisper/protocol': protocol } },
        test: {
          name: 'client',
          environment: 'jsdom',
          include: ['client/src/**/*.test.{ts,tsx}'],
          // jest-websocket-mock calls expect.extend when imported.
          globals: true,
          setupFiles: ['client/src/test/setup.ts'],
        },
      },
      {
        // R1: the real client sync engine in Node (tests/support/node-client.ts)
        // against the real server as a child process behind the fault proxy.
        resolve: { alias: { '@whisper/protocol': protocol } },
        test: {
          name: 'chaos',
          environment: 'node',
          include: ['tests/chaos/**/*.test.ts'],
          // The soak runs for minutes: only through `npm run chaos` (CHAOS_LONG=1).
          exclude: [
            ...configDefaults.exclude,
            ...(process.env.CHAOS_LONG ? [] : ['tests/chaos/chaos-long.test.ts']),
          ],
          globalSetup: ['tests/setup/postgres.global.ts'],
          testTimeout: 180_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
