import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_SIZE } from '../../server/protocol/index.js';
import { createSession, item, received, restSend } from '../support/fixtures.js';
import { migrationVersions } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
let clientDir: string;
beforeAll(async () => {
  // A stand-in production build, to check how the server serves one.
  clientDir = await mkdtemp(path.join(os.tmpdir(), 'whisper-client-'));
  await mkdir(path.join(clientDir, 'assets'));
  await writeFile(path.join(clientDir, 'index.html'), '<!doctype html><title>Whisper</title><div id="root"></div>');
  await writeFile(path.join(clientDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  // The build's precompressed copies (vite.config.ts), here of the shell too.
  const bigScript = `console.log(${JSON.stringify('x'.repeat(5000))});`;
  await writeFile(path.join(clientDir, 'assets', 'big-def456.js'), bigScript);
  await writeFile(path.join(clientDir, 'assets', 'big-def456.js.br'), brotliCompressSync(bigScript));
  await writeFile(path.join(clientDir, 'assets', 'big-def456.js.gz'), gzipSync(bigScript));
  server = await startTestServer({ clientDir });
});
afterAll(async () => {
  await server.close();
  await rm(clientDir, { recursive: true, force: true });
});

describe('P10 REST send', () => {
  it('[P10] POST /v1/chat/messages stores, answers the P3 frame, and broadcasts to sockets', async () => {
    const session = await createSession(server.baseUrl);
    const listener = await TestSocket.connect(server.wsUrl);
    const batch = [item('from the service worker'), item('second')];
    const { status, body } = await restSend(server.baseUrl, session.token, { type: 'messages', data: batch });
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'message_ids', status: 'success', client_ids: batch.map((m) => m.client_id), rejected: [] });
    expect(body.message_ids).toHaveLength(2);
    await listener.next((f) => f.type === 'messages' && f.data.length === 2);
    expect(received(listener.frames).map((m) => m.user_id)).toEqual([session.user_id, session.user_id]);
    await listener.close();
  });

  it('[P10][P7] rejected items come back in `rejected`; all rejected is 422', async () => {
    const session = await createSession(server.baseUrl);
    const good = item('fine');
    const empty = item('   ');
    const mixed = await restSend(server.baseUrl, session.token, { data: [good, empty] });
    expect(mixed.status).toBe(200);
    expect(mixed.body.client_ids).toEqual([good.client_id]);
    expect(mixed.body.rejected).toEqual([expect.objectContaining({ type: 'rejected', code: 'invalid_content', client_ids: [empty.client_id] })]);
    const none = await restSend(server.baseUrl, session.token, { data: [empty] });
    expect(none.status).toBe(422);
    expect(none.body.message_ids).toEqual([]);
  });

  it('[P10][P8] a malformed body is 400 with an error body, never a 5xx', async () => {
    const session = await createSession(server.baseUrl);
    const bodies: unknown[] = [
      {},
      { data: [] },
      { data: 'x' },
      { data: Array.from({ length: MAX_BATCH_SIZE + 1 }, () => item('x')) },
      { type: 'sync', data: [item('x')] },
    ];
    for (const body of bodies) {
      const response = await restSend(server.baseUrl, session.token, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body).toMatchObject({ type: 'error', code: 'invalid_request' });
    }
    // Items are judged one by one, as over the socket (P7), not by the body schema.
    const badItems = await restSend(server.baseUrl, session.token, { data: [{ content: 5 }, { content: 'x', client_id: 'has spaces' }] });
    expect(badItems.status).toBe(422);
    expect(badItems.body.rejected).toEqual([expect.objectContaining({ code: 'invalid_message' })]);
    const notJson = await fetch(`${server.baseUrl}/v1/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: '{"data": [',
    });
    expect(notJson.status).toBe(400);
  });
});

describe('HTTP surface', () => {
  it('[S1] GET /healthz reports the database reachable', async () => {
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('[S1] the schema comes from migrations/ (tracked by the migration library)', async () => {
    const { rows } = await server.db.pool.query<{ version: string }>('SELECT version FROM schemaversion WHERE version > 0 ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual(migrationVersions());
    const { rows: rooms } = await server.db.pool.query("SELECT id FROM rooms WHERE id = 'general'");
    expect(rooms).toHaveLength(1);
  });

  it('serves OpenAPI docs at /docs describing the REST routes', async () => {
    const ui = await fetch(`${server.baseUrl}/docs`, { redirect: 'follow' });
    expect(ui.status).toBe(200);
    const spec = (await (await fetch(`${server.baseUrl}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/session', '/v1/chat/messages', '/healthz']));
  });

  it('[R3] serves the client build from / with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${server.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="root">');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('hashed assets are cached for good; client routes fall back to the app shell; API 404s stay JSON', async () => {
    const asset = await fetch(`${server.baseUrl}/assets/index-abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const route = await fetch(`${server.baseUrl}/chat`, { headers: { accept: 'text/html' } });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="root">');
    const api = await fetch(`${server.baseUrl}/v1/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ type: 'error', code: 'not_found' });
  });

  it('sends the build\'s brotli or gzip copy of a file to browsers that accept it, the original otherwise', async () => {
    const original = `console.log(${JSON.stringify('x'.repeat(5000))});`;
    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const response = await fetch(`${server.baseUrl}/assets/big-def456.js`, { headers: { 'accept-encoding': accept } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding')).toBe(encoding);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
      expect(response.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(response.headers.get('cache-control')).toContain('immutable');
      // fetch decodes br and gzip: the same script either way.
      expect(await response.text()).toBe(original);
    }
    // Files without copies are sent as they are.
    const plain = await fetch(`${server.baseUrl}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'br' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe('console.log(1)');
  });
});
