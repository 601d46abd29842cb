/**
 * Thousands of people can share one address (a carrier's CGNAT, a school's
 * or an office's NAT, a benchmark's load generator). Per-address limits are
 * sized for that crowd; per-user and per-socket limits still stop abuse
 * from inside it (R2, P8).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET_RATES } from '../../server/realtime/chat-socket.js';
import { MAX_SOCKETS_PER_USER } from '../../server/realtime/connection-limits.js';
import { loadConfig } from '../../server/config.js';
import { CloseCode } from '../../server/protocol/index.js';
import { createSession, item, restSend, waitFor } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

/** More than the old cap of 200 sockets and 200 connects per address, opened as fast as the test can. */
const CROWD = 500;
const WAVE = 100;

/** Every socket of `sockets` answers a ping and is still open. */
async function allAnswer(sockets: TestSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((socket) => {
      socket.send({ type: 'ping' });
      return socket.next((frame) => frame.type === 'pong');
    }),
  );
  expect(sockets.filter((socket) => socket.ws.readyState !== WebSocket.OPEN)).toEqual([]);
}

/** Opens a socket that the server is expected to refuse; resolves with the status and the P8 body. */
function refusedUpgrade(url: string): Promise<{ status: number | undefined; body: { code?: string; message?: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode, body: JSON.parse(text) });
      });
    });
    ws.once('error', reject);
  });
}

describe('a crowd behind one address (R2)', () => {
  let server: TestServer;
  const crowd: TestSocket[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    for (let opened = 0; opened < CROWD; opened += WAVE) {
      const wave = await Promise.allSettled(Array.from({ length: WAVE }, () => TestSocket.connect(server.wsUrl)));
      for (const result of wave) {
        if (result.status === 'fulfilled') crowd.push(result.value);
        else failures.push(String(result.reason));
      }
    }
  });

  afterAll(async () => {
    await Promise.all(crowd.map((socket) => socket.close()));
    await server.close();
  });

  it('[R2] 500 sockets from one address connect and stay', async () => {
    expect(failures.slice(0, 3), `${failures.length} of ${CROWD} refused`).toEqual([]);
    expect(crowd).toHaveLength(CROWD);
    expect(new Set(crowd.map((socket) => socket.userId)).size).toBe(CROWD);
    await allAnswer(crowd);
  });

  it('[R2][P8] a flood from one socket is closed with 1008', async () => {
    const flooder = await TestSocket.connect(server.wsUrl);
    for (let i = 0; i <= DEFAULT_SOCKET_RATES.frameBurst + 50; i++) flooder.send({ type: 'ping' });
    expect((await flooder.closed).code).toBe(CloseCode.PolicyViolation);
    // The rest of the address is untouched.
    expect(crowd).toHaveLength(CROWD);
    await allAnswer(crowd);
  });

  it('[R2][P8] an 11th socket of one user pushes out the oldest', async () => {
    const session = await createSession(server.baseUrl);
    const mine: TestSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) mine.push(await TestSocket.connect(server.wsUrl, session.token));
    const newest = await TestSocket.connect(server.wsUrl, session.token);
    expect((await mine[0].closed).code).toBe(CloseCode.PolicyViolation);
    await allAnswer([...mine.slice(1), newest]);
    expect(crowd).toHaveLength(CROWD);
    await allAnswer(crowd);
    await Promise.all([...mine.slice(1), newest].map((socket) => socket.close()));
  });
});

describe('limits configured low (P8)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      limits: {
        maxSockets: 3,
        connectBurst: 5,
        connectsPerSecond: 0.001,
        sessionsPerMinute: 2,
        historyPerMinute: 2,
        sendsPerMinute: 5,
        userSendsPerMinute: 2,
        userRequestsPerMinute: 3,
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('[R2][P8] a per-address limit still applies when configured low: sockets, connects, sessions and history answer 429', async () => {
    const sockets = await Promise.all(Array.from({ length: 3 }, () => TestSocket.connect(server.wsUrl)));
    expect(await refusedUpgrade(server.wsUrl)).toMatchObject({ status: 429, body: { code: 'rate_limited', message: 'too many connections from this address' } });
    await Promise.all(sockets.map((socket) => socket.close()));
    await waitFor(() => server.app.websocketServer.clients.size === 0, 5_000, 'the server to see the sockets close');
    // Three of the five connects are spent; two more, then the bucket is empty.
    const more = await Promise.all(Array.from({ length: 2 }, () => TestSocket.connect(server.wsUrl)));
    expect(await refusedUpgrade(server.wsUrl)).toMatchObject({ status: 429, body: { code: 'rate_limited', message: 'connecting too often from this address' } });
    await Promise.all(more.map((socket) => socket.close()));

    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await fetch(`${server.baseUrl}/v1/session`, { method: 'POST' }));
    expect(sessions.map((response) => response.status)).toEqual([200, 200, 429]);
    expect(await sessions[2].json()).toMatchObject({ type: 'error', code: 'rate_limited' });

    const reads = [];
    for (let i = 0; i < 3; i++) reads.push(await fetch(`${server.baseUrl}/v1/chat/messages`));
    expect(reads.map((response) => response.status)).toEqual([200, 200, 429]);
  });

  it('[R2][P8] REST sends are limited per user: one user\'s flood leaves the address\'s budget to the others, until the address cap', async () => {
    const [a, b, c, d] = await Promise.all(Array.from({ length: 4 }, () => server.app.newIdentity()));
    const send = async (token: string) => (await restSend(server.baseUrl, token, { data: [item('hello')] })).status;
    // Per user: a's third send in the minute is refused…
    expect([await send(a.token), await send(a.token), await send(a.token)]).toEqual([200, 200, 429]);
    // …while b and c, on the same address, still send.
    expect([await send(b.token), await send(c.token)]).toEqual([200, 200]);
    // Per address (5 a minute here): the sixth request from the address is refused whoever sends it.
    const refused = await restSend(server.baseUrl, d.token, { data: [item('one too many')] });
    expect(refused).toMatchObject({ status: 429, body: { type: 'error', code: 'rate_limited' } });
  });

  it('[R2] REST requests on rooms, DMs and people are limited per user, not per address', async () => {
    const [a, b] = await Promise.all(Array.from({ length: 2 }, () => server.app.newIdentity()));
    const get = async (token: string, path: string) => (await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
    // One budget across the room and people routes: a's fourth request in the minute is refused…
    expect([await get(a.token, '/v1/rooms'), await get(a.token, '/v1/users?query=x'), await get(a.token, '/v1/rooms?discover=public'), await get(a.token, '/v1/rooms')]).toEqual([
      200, 200, 200, 429,
    ]);
    const refused = await fetch(`${server.baseUrl}/v1/rooms/general`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ type: 'error', code: 'rate_limited' });
    // …while b, on the same address, is not held back by it.
    expect(await get(b.token, '/v1/rooms')).toBe(200);
  });

  it('[R2] the per-address and per-user limits are read from the environment', () => {
    const env = {
      ADDRESS_MAX_SOCKETS: '20000',
      ADDRESS_CONNECT_BURST: '3000',
      ADDRESS_CONNECTS_PER_SECOND: '250',
      ADDRESS_SESSIONS_PER_MINUTE: '90',
      ADDRESS_HISTORY_PER_MINUTE: '40000',
      ADDRESS_SENDS_PER_MINUTE: '9000',
      USER_SENDS_PER_MINUTE: '60',
      USER_REQUESTS_PER_MINUTE: '120',
    };
    expect(loadConfig(env).limits).toEqual({
      maxSockets: 20000,
      connectBurst: 3000,
      connectsPerSecond: 250,
      sessionsPerMinute: 90,
      historyPerMinute: 40000,
      sendsPerMinute: 9000,
      userSendsPerMinute: 60,
      userRequestsPerMinute: 120,
    });
    expect(loadConfig({}).limits).toEqual({});
    expect(() => loadConfig({ ADDRESS_MAX_SOCKETS: 'lots' })).toThrow(/ADDRESS_MAX_SOCKETS/);
  });
});
