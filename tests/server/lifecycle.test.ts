import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CloseCode, type AckFrame } from '../../server/protocol/index.js';
import { isAck, item } from '../support/fixtures.js';
import { createTestDatabase, migrationVersions } from '../support/test-db.js';
import { startTestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

const run = promisify(execFile);

describe('lifecycle', () => {
  it('[S4] graceful shutdown acks what was in flight, then closes sockets with 1001', async () => {
    const db = await createTestDatabase();
    const server = await startTestServer({ db });
    const socket = await TestSocket.connect(server.wsUrl);
    const batch = Array.from({ length: 50 }, (_, i) => item(`in flight ${i}`));
    socket.send({ type: 'messages', data: batch });
    // Close as soon as the frame has reached the server, before it is stored.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const closing = server.app.close();
    const ack = await socket.next<AckFrame>(isAck);
    expect(ack.client_ids).toEqual(batch.map((m) => m.client_id));
    expect((await socket.closed).code).toBe(CloseCode.GoingAway);
    await closing;
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM messages WHERE client_id = ANY($1)', [ack.client_ids]);
    expect(rows[0].n).toBe(batch.length);
    await db.drop();
  });

  it('[S1] npm run db:migrate applies the migrations to DATABASE_URL, and is a no-op the second time', async () => {
    const db = await createTestDatabase(); // already migrated: drop everything to start from zero
    await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const env = { ...process.env, DATABASE_URL: db.url };
    const first = await run('npm', ['run', '--silent', 'db:migrate'], { env });
    expect(first.stdout).toContain(`applied migrations ${migrationVersions().join(', ')}`);
    const second = await run('npm', ['run', '--silent', 'db:migrate'], { env });
    expect(second.stdout).toContain('database is up to date');
    const { rows } = await db.pool.query("SELECT id FROM rooms WHERE id = 'general'");
    expect(rows).toHaveLength(1);
    await db.drop();
  });
});
