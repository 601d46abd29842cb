import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../server/protocol/index.js';
import { createSession, item, restSend } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function forgeToken(userId: string, secret: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: userId, iat: Math.floor(Date.now() / 1000) })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

describe('P1 identity', () => {
  it('[P1] POST /v1/session returns a random UUID user and a token', async () => {
    const first = await createSession(server.baseUrl);
    const second = await createSession(server.baseUrl);
    expect(first.user_id).toMatch(UUID);
    expect(second.user_id).not.toBe(first.user_id);
    expect(first.token).toEqual(expect.any(String));
  });

  it('[P1] a socket with a token is that user, and hello comes first with a fresh token', async () => {
    const session = await createSession(server.baseUrl);
    const socket = await TestSocket.connect(server.wsUrl, session.token);
    expect(socket.frames[0]).toMatchObject({ type: 'hello', user_id: session.user_id });
    // The fresh token identifies the same user.
    const again = await TestSocket.connect(server.wsUrl, socket.hello.token);
    expect(again.userId).toBe(session.user_id);
    await Promise.all([socket.close(), again.close()]);
  });

  it('[P1] a socket without a token gets a fresh anonymous identity', async () => {
    const a = await TestSocket.connect(server.wsUrl);
    const b = await TestSocket.connect(server.wsUrl);
    expect(a.frames[0].type).toBe('hello');
    expect(a.userId).toMatch(UUID);
    expect(b.userId).not.toBe(a.userId);
    // The token it was handed works for REST too.
    const { status } = await restSend(server.baseUrl, a.hello.token, { type: 'messages', data: [item('via rest')] });
    expect(status).toBe(200);
    await Promise.all([a.close(), b.close()]);
  });

  it('[P1] a token signed with another secret is refused with an error frame and close 4401', async () => {
    const socket = await import('ws').then(({ default: WebSocket }) => new WebSocket(`${server.wsUrl}?token=${forgeToken('3b0b4a1e-8f1e-4a51-9c39-2a5cc2d1a7f0', 'not-the-server-secret-not-the-server')}`));
    const frames: unknown[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(CloseCode.InvalidToken);
    expect(frames).toEqual([expect.objectContaining({ type: 'error', code: ErrorCode.InvalidToken })]);
  });

  it('[P1] REST send without a valid bearer token is 401', async () => {
    expect((await restSend(server.baseUrl, undefined, { data: [item('x')] })).status).toBe(401);
    const forged = forgeToken('3b0b4a1e-8f1e-4a51-9c39-2a5cc2d1a7f0', 'not-the-server-secret-not-the-server');
    const response = await restSend(server.baseUrl, forged, { data: [item('x')] });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ type: 'error', code: 'invalid_token' });
  });

  it('[P1] a frame whose user_id is not the socket\'s identity is rejected and stores nothing', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const other = await createSession(server.baseUrl);
    const forged = item('pretending', { user_id: other.user_id });
    socket.send({ type: 'messages', data: [forged] });
    const rejected = await socket.next((f) => f.type === 'rejected');
    expect(rejected).toMatchObject({ client_ids: [forged.client_id], code: ErrorCode.Forbidden });
    const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM messages WHERE client_id = $1', [forged.client_id]);
    expect(rows[0].n).toBe(0);
    // Its own user_id is accepted (seed-style clients send it).
    socket.send({ type: 'messages', data: [item('me', { user_id: socket.userId })] });
    await socket.next((f) => f.type === 'message_ids');
    await socket.close();
  });
});
