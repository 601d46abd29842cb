import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../server/seed/demo-data.js';
import { api } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

const run = promisify(execFile);

let db: TestDatabase;
let server: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ db });
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

const counts = async () => {
  const { rows } = await db.pool.query<{ users: number; messages: number; events: number }>(
    'SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM room_events) AS events',
  );
  return rows[0];
};

describe('A6 demo data', () => {
  it('[A6] npm run seed creates seed 004\'s accounts, rooms, a DM and a history; running it again changes nothing', async () => {
    const { stdout } = await run('node', ['--import', 'tsx', 'server/seed-cli.ts'], { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, timeout: 60_000 });
    expect(stdout).toContain('testuser');
    expect(stdout).toContain('alicepass123');
    const first = await counts();
    expect(first.messages).toBeGreaterThanOrEqual(15);

    const again = await seedDemoData(server.app);
    expect(again.accounts.every((account) => !account.created)).toBe(true);
    expect(again.messages).toBe(0);
    expect(await counts()).toEqual(first);

    // Log in as two people, as seed 004 suggests: each sees the rooms they are in, with history.
    const test = await api(server.baseUrl, undefined, 'POST', '/v1/session', { username: 'testuser', password: 'testpass123' });
    const alice = await api(server.baseUrl, undefined, 'POST', '/v1/session', { username: 'alice', password: 'alicepass123' });
    expect([test.status, alice.status]).toEqual([200, 200]);
    const rooms = await api(server.baseUrl, test.body.token as string, 'GET', '/v1/rooms');
    const listed = rooms.body.data as { id: string; name: string; kind: string; last_message: { excerpt: string } | null }[];
    expect(listed.map((room) => room.kind).sort()).toEqual(['dm', 'group', 'public', 'public']);
    expect(listed.every((room) => room.last_message !== null)).toBe(true);
    const dm = listed.find((room) => room.kind === 'dm')!;
    const history = await api(server.baseUrl, alice.body.token as string, 'GET', `/v1/chat/messages?room_id=${dm.id}`);
    expect((history.body.data as { content: string }[]).map((m) => m.content)).toContain('Hey, are you coming on Thursday?');
    // History reads as days of conversation, in order.
    const general = await api(server.baseUrl, undefined, 'GET', '/v1/chat/messages?room_id=general');
    const times = (general.body.data as { created_at: string }[]).map((m) => Date.parse(m.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)! - times[0]).toBeGreaterThan(3_600_000);
    // Names, not UUIDs (A5).
    const socket = await TestSocket.connect(server.wsUrl, test.body.token as string);
    expect((await api(server.baseUrl, socket.hello.token, 'GET', '/v1/me')).body).toMatchObject({ username: 'testuser', display_name: 'Test User' });
    await socket.close();
  }, 90_000);
});
