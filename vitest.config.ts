import path from 'node:path';
import react from '@vitejs/plugin-react';
import { configDefaults, defineConfig } from 'vitest/config';

const protocol = path.resolve(import.meta.dirname, 'server/protocol.ts');

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
          exclude: [...configDefaults.exclude, ...(process.env.CHAOS_LONG ? [] : ['tests/chaos/chaos-long.test.ts'])],
          globalSetup: ['tests/setup/postgres.global.ts'],
          testTimeout: 180_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
