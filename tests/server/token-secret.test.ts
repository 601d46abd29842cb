import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../server/app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

let db: TestDatabase;
let dataDir: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'whisper-secret-'));
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function instance(options: Partial<AppOptions> = {}, database = db): Promise<FastifyInstance> {
  const app = await buildApp({ databaseUrl: database.url, clientDir: '/nonexistent-client-build', ...options });
  apps.push(app);
  return app;
}

async function newSession(app: FastifyInstance): Promise<{ user_id: string; token: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/session' });
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** A REST send needs a token the instance accepts (P10). */
async function acceptsToken(app: FastifyInstance, token: string): Promise<boolean> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/chat/messages',
    headers: { authorization: `Bearer ${token}` },
    payload: { type: 'messages', data: [{ content: 'hello' }] },
  });
  if (response.statusCode !== 200 && response.statusCode !== 401) throw new Error(`unexpected ${response.statusCode}: ${response.body}`);
  return response.statusCode === 200;
}

describe('P1 token secret', () => {
  it('[P1][S6] instances with no TOKEN_SECRET agree on one generated secret through the database, and a restart on a fresh disk keeps it', async () => {
    // Two instances starting at once race to create the secret.
    const [first, second] = await Promise.all([instance(), instance()]);
    const a = await newSession(first);
    const b = await newSession(second);
    expect(await acceptsToken(second, a.token)).toBe(true);
    expect(await acceptsToken(first, b.token)).toBe(true);
    // A third instance, with nothing on its disk (no DATA_DIR file at all).
    const restarted = await instance({ legacyTokenSecretFile: path.join(dataDir, 'never-written') });
    expect(await acceptsToken(restarted, a.token)).toBe(true);
    const { rows } = await db.pool.query("SELECT name FROM server_secrets WHERE name = 'token'");
    expect(rows).toEqual([{ name: 'token' }]);
  });

  it('[P1] a secret that an earlier release kept under DATA_DIR is adopted by a database that has none, so upgrading logs nobody out', async () => {
    const fresh = await createTestDatabase();
    try {
      const legacy = randomBytes(32).toString('base64url');
      const file = path.join(dataDir, 'token-secret');
      await writeFile(file, legacy);
      const before = await instance({ tokenSecret: legacy }, fresh);
      const { token } = await newSession(before);
      const upgraded = await instance({ legacyTokenSecretFile: file }, fresh);
      expect(await acceptsToken(upgraded, token)).toBe(true);
      expect((await fresh.pool.query("SELECT value FROM server_secrets WHERE name = 'token'")).rows).toEqual([{ value: legacy }]);
    } finally {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await fresh.drop();
    }
  });

  it('[P1] TOKEN_SECRET, when given, is used and never stored; a token signed with another secret is refused', async () => {
    const fresh = await createTestDatabase();
    try {
      const withEnv = await instance({ tokenSecret: 'e'.repeat(40) }, fresh);
      const generated = await instance({}, fresh);
      const { token } = await newSession(withEnv);
      expect(await acceptsToken(withEnv, token)).toBe(true);
      expect(await acceptsToken(generated, token)).toBe(false);
      const { rows } = await fresh.pool.query<{ value: string }>('SELECT value FROM server_secrets');
      expect(rows.map((row) => row.value)).not.toContain('e'.repeat(40));
      await expect(instance({ tokenSecret: 'too short' }, fresh)).rejects.toThrow(/at least 32/);
    } finally {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await fresh.drop();
    }
  });
});
