import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, ErrorCode, SOCKET_SUBPROTOCOL, SOCKET_TOKEN_PREFIX } from '../../server/protocol/index.js';
import { item, restSend, waitFor } from '../support/fixtures.js';
import { api, createRoom } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, TEST_TOKEN_SECRET, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

/** Every log line both instances wrote, at the most verbose level: checked for passwords. */
const logLines: string[] = [];
const logger = () =>
  pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );

let db: TestDatabase;
let one: TestServer;
let two: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  // Two instances on one database (S6): a logout on one must hold on the other.
  [one, two] = await Promise.all([startTestServer({ db, logger: logger(), limits: { loginsPerUsername: 5 } }), startTestServer({ db, logger: logger(), limits: { loginsPerUsername: 5 } })]);
});
afterAll(async () => {
  await Promise.all([one.close(), two.close()]);
  await db.drop();
});

let names = 0;
/** A fresh username per test (the database is shared by the file). */
const username = (base: string) => `${base}_${++names}_${Date.now().toString(36)}`;
const PASSWORD = 'correct horse battery';

const signUp = (server: TestServer, name: string, password = PASSWORD, token?: string) => api(server.baseUrl, token, 'POST', '/v1/accounts', { username: name, password });
const logIn = (server: TestServer, name: string, password = PASSWORD) => api(server.baseUrl, undefined, 'POST', '/v1/session', { username: name, password });

/** A JWT signed with `secret`, as a token from before sessions (no sid) or with any claims. */
function signToken(claims: Record<string, unknown>, secret = TEST_TOKEN_SECRET): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iat: Math.floor(Date.now() / 1000), ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Opens a socket with the token in the subprotocol list, as the app does; resolves with the hello or the close. */
function subprotocolSocket(url: string, protocols: string[]) {
  const ws = new WebSocket(url, protocols);
  return new Promise<{ ws: WebSocket; protocol: string; hello?: { user_id: string; token: string }; close?: number }>((resolve, reject) => {
    ws.once('message', (data) => resolve({ ws, protocol: ws.protocol, hello: JSON.parse(data.toString()) }));
    ws.once('close', (code) => resolve({ ws, protocol: ws.protocol, close: code }));
    ws.once('error', reject);
  });
}

describe('A1–A5 accounts, sessions and profiles', () => {
  it('[A1] an anonymous identity claims a username and password: same user_id, its rooms and messages stay, and the new token is that user', async () => {
    const socket = await TestSocket.connect(one.wsUrl);
    const other = await TestSocket.connect(one.wsUrl);
    const group = await createRoom(socket, { name: 'Before the account', userIds: [other.userId] });
    expect((await restSend(one.baseUrl, socket.hello.token, { data: [item('written while anonymous')] })).status).toBe(200);
    const name = username('Ana');
    const upgraded = await signUp(one, name, PASSWORD, socket.hello.token);
    expect(upgraded.status).toBe(201);
    expect(upgraded.body).toMatchObject({ user_id: socket.userId, username: name.toLowerCase() });

    const token = upgraded.body.token as string;
    expect((await api(two.baseUrl, token, 'GET', '/v1/me')).body).toMatchObject({ user_id: socket.userId, username: name.toLowerCase() });
    const rooms = await api(two.baseUrl, token, 'GET', '/v1/rooms');
    expect((rooms.body.data as { id: string }[]).map((room) => room.id)).toContain(group);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM messages WHERE user_id = $1', [socket.userId]);
    expect(rows[0].n).toBe(1);
    // Claimed once: a second claim by the same identity is a conflict, not a rename.
    expect((await signUp(one, username('again'), PASSWORD, token)).body).toMatchObject({ code: ErrorCode.Conflict });
    await Promise.all([socket.close(), other.close()]);
  });

  it('[A1][A3] usernames are unique regardless of case (409); weak passwords are refused (400) and nothing is created', async () => {
    const name = username('Ben');
    expect((await signUp(one, name)).status).toBe(201);
    const taken = await signUp(two, name.toUpperCase());
    expect(taken).toMatchObject({ status: 409, body: { code: ErrorCode.UsernameTaken } });
    const weakName = username('weak');
    // Too short, among the most common (any case), containing the username.
    for (const password of ['short', 'password1', 'ILoveYou', `my-${weakName}-pass`]) {
      expect(await signUp(one, weakName, password)).toMatchObject({ status: 400, body: { code: ErrorCode.WeakPassword } });
    }
    expect((await signUp(one, 'x', PASSWORD)).status).toBe(400);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM users WHERE username LIKE 'weak%'");
    expect(rows[0].n).toBe(0);
  });

  it('[A2] logging in on a second device gives the same user, its rooms and history; each device is its own session', async () => {
    const first = await TestSocket.connect(one.wsUrl);
    const friend = await TestSocket.connect(one.wsUrl);
    const name = username('cleo');
    const account = await signUp(one, name, PASSWORD, first.hello.token);
    const group = await createRoom(first, { name: 'Ours', userIds: [friend.userId] });

    const login = await logIn(two, name.toUpperCase());
    expect(login.status).toBe(200);
    expect(login.body.user_id).toBe(first.userId);
    expect(login.body.token).not.toBe(account.body.token);
    const second = await TestSocket.connect(two.wsUrl, login.body.token as string);
    expect(second.userId).toBe(first.userId);
    second.send({ type: 'sync', rooms: [] });
    const listed = await second.next((f) => f.type === 'rooms');
    expect(listed.type === 'rooms' && listed.data.map((room) => room.id)).toContain(group);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [first.userId]);
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
    await Promise.all([first.close(), friend.close(), second.close()]);
  });

  it('[A3] an unknown username and a wrong password get the same 401, in about the same time; failures are held back per username', async () => {
    const name = username('dora');
    await signUp(one, name);
    const wrong = await logIn(one, name, 'not the password at all');
    const unknown = await logIn(one, username('nobody'), 'not the password at all');
    expect(wrong).toEqual({ status: 401, body: { type: 'error', code: ErrorCode.InvalidCredentials, message: 'wrong username or password' } });
    expect(unknown).toEqual(wrong);

    // Timing: both paths run one argon2id verification. Medians of
    // alternating attempts; a path without it would answer ~50× faster.
    const timings = { wrong: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 4; i++) {
      for (const [kind, who] of [['wrong', username('eve')], ['unknown', username('ghost')]] as const) {
        if (kind === 'wrong') await signUp(one, who);
        const start = performance.now();
        await logIn(two, who, 'guessing again and again');
        timings[kind].push(performance.now() - start);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ratio = median(timings.unknown) / median(timings.wrong);
    console.log(`[A3] login timing, medians of 4: wrong password ${median(timings.wrong).toFixed(1)} ms, unknown user ${median(timings.unknown).toFixed(1)} ms (ratio ${ratio.toFixed(2)})`);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);

    // Five failures per window on one username here (twenty by default), from any address and instance:
    // then even the right password waits for the window to pass; other usernames are not affected.
    const target = username('fay');
    await signUp(one, target);
    const failures = [];
    for (let i = 0; i < 5; i++) failures.push((await logIn(i % 2 ? one : two, target, 'wrong wrong wrong')).status);
    expect(failures).toEqual([401, 401, 401, 401, 401]);
    const held = await logIn(one, target);
    expect(held).toMatchObject({ status: 429, body: { code: ErrorCode.RateLimited } });
    expect((await logIn(two, target)).status).toBe(429);
    // An unknown username is held back the same way (or the limit would tell them apart).
    const ghost = username('ghost');
    for (let i = 0; i < 5; i++) await logIn(two, ghost, 'wrong wrong wrong');
    expect((await logIn(one, ghost, 'wrong wrong wrong')).status).toBe(429);
    const other = username('kim');
    await signUp(two, other);
    expect((await logIn(one, other)).status).toBe(200);
  });

  it('[A4] logout revokes that device only, at once, on every instance: 401 over REST, 4401 on its sockets; the other device stays', async () => {
    const name = username('gus');
    const phone = await signUp(one, name);
    const laptop = await logIn(two, name);
    const phoneToken = phone.body.token as string;
    const laptopToken = laptop.body.token as string;
    const phoneSockets = await Promise.all([TestSocket.connect(one.wsUrl, phoneToken), TestSocket.connect(two.wsUrl, phoneToken)]);
    const laptopSocket = await TestSocket.connect(one.wsUrl, laptopToken);
    // The hello's renewed token is the same session: logging out revokes it too.
    const renewed = phoneSockets[0].hello.token;

    expect((await api(two.baseUrl, phoneToken, 'DELETE', '/v1/session')).status).toBe(204);
    const closes = await Promise.all(phoneSockets.map((socket) => socket.closed));
    expect(closes.map((close) => close.code)).toEqual([CloseCode.InvalidToken, CloseCode.InvalidToken]);
    for (const server of [one, two]) {
      for (const token of [phoneToken, renewed]) expect((await api(server.baseUrl, token, 'GET', '/v1/me')).status).toBe(401);
      const again = await subprotocolSocket(server.wsUrl, [SOCKET_SUBPROTOCOL, `${SOCKET_TOKEN_PREFIX}${phoneToken}`]);
      expect(again.close ?? (await new Promise((resolve) => again.ws.once('close', resolve)))).toBe(CloseCode.InvalidToken);
    }
    // The laptop is still logged in, socket and REST.
    expect((await api(two.baseUrl, laptopToken, 'GET', '/v1/me')).status).toBe(200);
    laptopSocket.send({ type: 'ping' });
    await laptopSocket.next((f) => f.type === 'pong');

    // Log out everywhere: the laptop goes too.
    expect((await api(one.baseUrl, laptopToken, 'DELETE', '/v1/sessions')).status).toBe(204);
    expect((await laptopSocket.closed).code).toBe(CloseCode.InvalidToken);
    expect((await api(two.baseUrl, laptopToken, 'GET', '/v1/me')).status).toBe(401);
    // The account is still there: logging in again works.
    expect((await logIn(two, name)).status).toBe(200);
  });

  it('[P1][A4] tokens: a token from before sessions works while anonymous and stops once the identity is an account; another secret, an expired token, a forged session are refused', async () => {
    const socket = await TestSocket.connect(one.wsUrl);
    const legacy = signToken({ sub: socket.userId });
    expect((await api(one.baseUrl, legacy, 'GET', '/v1/me')).status).toBe(200);
    // Its socket gets a session of its own: the hello's token names one.
    const upgraded = await TestSocket.connect(two.wsUrl, legacy);
    expect(upgraded.userId).toBe(socket.userId);
    const sid = JSON.parse(Buffer.from(upgraded.hello.token.split('.')[1], 'base64url').toString()).sid;
    expect(sid).toMatch(/^[0-9a-f-]{36}$/);
    await signUp(one, username('hal'), PASSWORD, upgraded.hello.token);
    expect((await api(one.baseUrl, legacy, 'GET', '/v1/me')).status).toBe(401);
    expect((await api(one.baseUrl, upgraded.hello.token, 'GET', '/v1/me')).status).toBe(200);

    const refused = [
      signToken({ sub: socket.userId }, 'another-secret-another-secret-another-1'),
      signToken({ sub: socket.userId, sid, exp: Math.floor(Date.now() / 1000) - 60 }),
      signToken({ sub: socket.userId, sid: '00000000-0000-4000-8000-000000000000' }),
      signToken({ sub: '00000000-0000-4000-8000-000000000001', sid }),
    ];
    for (const token of refused) {
      expect((await api(two.baseUrl, token, 'GET', '/v1/me')).status).toBe(401);
      expect((await restSend(two.baseUrl, token, { data: [item('nope')] })).status).toBe(401);
    }
    await Promise.all([socket.close(), upgraded.close()]);
  });

  it('[P1] the socket takes its token from the subprotocol list, keeping it out of the URL; ?token= still works for seed-style clients', async () => {
    const session = await api(one.baseUrl, undefined, 'POST', '/v1/session');
    const viaProtocol = await subprotocolSocket(two.wsUrl, [SOCKET_SUBPROTOCOL, `${SOCKET_TOKEN_PREFIX}${session.body.token}`]);
    expect(viaProtocol.protocol).toBe(SOCKET_SUBPROTOCOL);
    expect(viaProtocol.hello).toMatchObject({ type: 'hello', user_id: session.body.user_id });
    viaProtocol.ws.close();
    const viaQuery = await TestSocket.connect(two.wsUrl, session.body.token as string);
    expect(viaQuery.userId).toBe(session.body.user_id);
    await viaQuery.close();
    // Only an unknown subprotocol: the handshake fails.
    await expect(subprotocolSocket(two.wsUrl, ['chat.v9'])).rejects.toThrow();
  });

  it('[A5] GET and PATCH /v1/me: the display name others see, trimmed, never blank', async () => {
    const session = await api(one.baseUrl, undefined, 'POST', '/v1/session');
    const token = session.body.token as string;
    const me = await api(one.baseUrl, token, 'GET', '/v1/me');
    expect(me.body).toMatchObject({ user_id: session.body.user_id, username: null, display_name: expect.any(String), color: expect.any(String) });
    const renamed = await api(two.baseUrl, token, 'PATCH', '/v1/me', { display_name: '  Ana María  ' });
    expect(renamed).toMatchObject({ status: 200, body: { display_name: 'Ana María' } });
    const looked = await api(one.baseUrl, token, 'GET', `/v1/users?ids=${session.body.user_id}`);
    expect(looked.body.data).toEqual([expect.objectContaining({ display_name: 'Ana María' })]);
    expect((await api(one.baseUrl, token, 'PATCH', '/v1/me', { display_name: '   ' })).status).toBe(400);
    expect((await api(one.baseUrl, token, 'PATCH', '/v1/me', { display_name: 'x'.repeat(65) })).status).toBe(400);
  });

  it('[A3] no password is stored, logged or echoed anywhere: every table and every log line is read for them', async () => {
    const secret = 'unforgettable-Pa55word-9431';
    const name = username('ivy');
    const made = await signUp(one, name, secret);
    expect(JSON.stringify(made.body)).not.toContain(secret);
    await logIn(two, name, secret);
    await logIn(one, name, `${secret}-wrong`);
    await signUp(one, username('jo'), 'short');
    await waitFor(() => logLines.length > 0, 5_000, 'log lines');
    const { rows: tables } = await db.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    for (const { table_name } of tables) {
      const { rows } = await db.pool.query(`SELECT t::text AS row FROM "${table_name}" t`);
      for (const { row } of rows) expect(row, `table ${table_name}`).not.toContain(secret);
    }
    const { rows } = await db.pool.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = $1', [name]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(logLines.join('\n')).not.toContain(secret);
  });
});
