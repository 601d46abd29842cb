/**
 * Benchmark databases on the PostgreSQL that BENCH_DATABASE_URL (else
 * DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres) points at.
 * Each benchmark creates its own `whisper_bench_<random>` database and drops
 * it when done, failure included; dropAllBenchDatabases() is the safety net
 * run.ts calls on the way out. Only databases created by this process are
 * ever dropped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { assertLoopbackUrl } from './loopback.js';

export const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const created = new Set<string>();

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  assertLoopbackUrl(ADMIN_DATABASE_URL);
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL, application_name: 'whisper-bench' });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh, empty database; the server migrates it when it starts. */
export async function createBenchDatabase(): Promise<{ name: string; url: string }> {
  const name = `whisper_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  created.add(name);
  return { name, url: withDatabase(ADMIN_DATABASE_URL, name) };
}

/** Drops one of our databases; connections still open to it are ended (PostgreSQL 13+ FORCE). */
export async function dropBenchDatabase(name: string): Promise<void> {
  if (!created.has(name)) throw new Error(`refusing to drop ${name}: not created by this run`);
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  created.delete(name);
}

export async function dropAllBenchDatabases(): Promise<void> {
  for (const name of [...created]) await dropBenchDatabase(name).catch((error: unknown) => console.error(`could not drop ${name}:`, error));
}

/** Runs statements against one bench database. */
export async function benchQuery(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResultRow[]> {
  assertLoopbackUrl(url);
  const client = new pg.Client({ connectionString: url, application_name: 'whisper-bench' });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
