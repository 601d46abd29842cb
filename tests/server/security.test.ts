import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_BURST } from '../../server/realtime/chat-socket.js';
import { CloseCode, MAX_BATCH_SIZE, type AckFrame, type HistoryResponse } from '../../server/protocol/index.js';
import { createSession, isAck, item, restSend } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ allowedOrigins: ['http://localhost:5173'] });
});
afterAll(async () => {
  await server.close();
});

/** Opens a raw socket and resolves with how the handshake ended. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ opened: true, ws }));
    ws.once('unexpected-response', (_request, response) => resolve({ opened: false, status: response.statusCode, ws }));
    ws.once('error', () => resolve({ opened: false, ws }));
  });
}

describe('cross-site WebSocket hijacking', () => {
  it('[R3] an upgrade from a foreign Origin is refused with 403; the own origin, a configured one and non-browsers are let in', async () => {
    const host = new URL(server.baseUrl).host;
    const foreign = await handshake(server.wsUrl, { origin: 'https://evil.example' });
    expect(foreign).toMatchObject({ opened: false, status: 403 });
    const lookalike = await handshake(server.wsUrl, { origin: `http://${host}.evil.example` });
    expect(lookalike).toMatchObject({ opened: false, status: 403 });
    const cases: Record<string, string>[] = [{ origin: `http://${host}` }, { origin: 'http://localhost:5173' }, {}];
    for (const headers of cases) {
      const ok = await handshake(server.wsUrl, headers);
      expect(ok.opened, JSON.stringify(headers)).toBe(true);
      ok.ws.close();
    }
  });
});

describe('abuse limits', () => {
  it('[P8] a socket sending more messages than its budget is closed with 1008', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const frames = Math.ceil(MESSAGE_BURST / MAX_BATCH_SIZE) + 1;
    for (let i = 0; i < frames; i++) socket.send({ type: 'messages', data: Array.from({ length: MAX_BATCH_SIZE }, () => item(`spam ${i}`)) });
    expect((await socket.closed).code).toBe(CloseCode.PolicyViolation);
  });

});

describe('injection', () => {
  it('[R3] SQL and markup in content are stored and served verbatim; the tables are intact', async () => {
    const socket = await TestSocket.connect(server.wsUrl);
    const nasty = [
      "'); DROP TABLE messages; --",
      "' OR '1'='1",
      '<script>alert(1)</script><img src=x onerror=alert(1)>',
      '{"type":"hello","user_id":"x"}',
      '\\u0000 \\x00 %00 $1 $$ ;',
    ];
    socket.send({ type: 'messages', data: nasty.map((content) => item(content)) });
    const ack = await socket.next<AckFrame>(isAck);
    const response = await fetch(`${server.baseUrl}/v1/chat/messages?after_seq=${ack.seqs[0] - 1}&limit=${nasty.length}`);
    const history = (await response.json()) as HistoryResponse;
    expect(history.data.map((m) => m.content)).toEqual(nasty);
    const { rows } = await server.db.pool.query("SELECT to_regclass('messages') AS t");
    expect(rows[0].t).toBe('messages');
    await socket.close();
  });

  it('[R3] the usual security headers are sent', async () => {
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('[P1] a token cannot be reused as another user: REST sends are attributed to the token\'s user only', async () => {
    const me = await createSession(server.baseUrl);
    const other = await createSession(server.baseUrl);
    const sent = await restSend(server.baseUrl, me.token, { data: [item('mine', { user_id: other.user_id })] });
    expect(sent.status).toBe(422);
    expect(sent.body.rejected).toEqual([expect.objectContaining({ code: 'forbidden' })]);
  });
});
