import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../server/infra/migrate.js';

export interface TestDatabase {
  url: string;
  /** A small pool for assertions straight against the tables. */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** The versions of the migrations in migrations/, ascending: what a migrated database holds. */
export function migrationVersions(): number[] {
  return readdirSync(MIGRATIONS_DIR)
    .map((file) => /^(\d+)\.do\./.exec(file)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

const OBJECT_IN_USE = '55006';
const DROP_ATTEMPTS = 50;
const DROP_RETRY_MS = 100;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh, migrated database on the run's PostgreSQL server; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `whisper_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // pg's Pool.end() resolves before its sockets are closed; wait for
        // them to go rather than terminating them (which raises errors on
        // clients nobody listens to any more).
        for (let attempt = 1; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt === DROP_ATTEMPTS) throw error;
            await new Promise((resolve) => setTimeout(resolve, DROP_RETRY_MS));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}
