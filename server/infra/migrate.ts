import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Postgrator from 'postgrator';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Arbitrary but fixed key for pg_advisory_lock: several server instances
 * starting at once on one database (S6) must not run the same migration twice.
 */
const MIGRATION_LOCK_KEY = 7_270_113;

/** Applies every pending SQL file in migrations/ and returns their versions. */
export async function migrate(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const postgrator = new Postgrator({
      migrationPattern: path.join(MIGRATIONS_DIR, '*.sql'),
      driver: 'pg',
      database: client.database ?? '',
      schemaTable: 'schemaversion',
      execQuery: (query) => client.query(query),
    });
    const applied = await postgrator.migrate();
    return applied.map((m) => m.version);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
