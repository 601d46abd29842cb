/**
 * One PostgreSQL server for the whole run: the one DATABASE_URL points at
 * (CI: the system PostgreSQL 15), or else an embedded one started here, so
 * `npm test` passes on a machine with no database. Each test file then
 * creates and drops a database of its own on it (tests/support/test-db.ts).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../server/infra/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.DATABASE_URL);
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-test-pg-'));
  // mkdtemp makes it 0700; as root, PostgreSQL runs as the postgres user and must be able to enter it.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), database: 'postgres' });
  project.provide('adminDatabaseUrl', embedded.url);
  return async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
