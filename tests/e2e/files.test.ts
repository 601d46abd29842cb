import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * F1–F3, F6 in two real browsers: a photo picked offline is kept with its
 * message through a reload, uploaded once the network is back, sent once,
 * and shown to the other user; an upload cut midway resumes where the
 * server left off.
 */

/** The client's PATCH size (UPLOAD_CHUNK_SIZE in client/src/shared/sync/tus-upload.ts). */
const UPLOAD_CHUNK_SIZE = 512 * 1024;

/** After the network returns: connect, upload, flush, ack. */
const DELIVERY_TIMEOUT_MS = 45_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('files in the browser', () => {
  it('[F1][F2][F3][F6][C1] a photo picked offline survives a reload, uploads once back online, and shows on the other page', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
    const aliceContext = await env.newContext();
    const alice = await env.openChat(aliceContext);
    const bob = await env.openChat(await env.newContext());
    await Promise.all([waitUntilLive(alice), waitUntilLive(bob)]);
    await waitForServiceWorker(alice);

    await env.goOffline(aliceContext);
    await alice.getByRole('textbox', { name: 'Message' }).fill('the view from here');
    await alice.locator('[data-testid="attach-input"]').setInputFiles({ name: 'view.png', mimeType: 'image/png', buffer: png });
    const ownTile = alice.locator('[role="log"] [data-status] [data-attachment="image"]');
    await ownTile.waitFor({ timeout: UI_TIMEOUT_MS });

    await alice.reload();
    await alice.getByRole('textbox', { name: 'Message' }).waitFor();
    await ownTile.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await alice.locator('[role="log"] [data-status]').getAttribute('data-status')).toBe('pending');

    await env.goOnline(aliceContext);
    await expect.poll(() => alice.locator('[role="log"] [data-status]').getAttribute('data-status'), { timeout: DELIVERY_TIMEOUT_MS }).toBe('sent');
    const bobTile = bob.locator('[role="log"] [data-message] [data-attachment="image"][data-loaded]');
    await bobTile.waitFor({ timeout: DELIVERY_TIMEOUT_MS });
    await expect.poll(() => bob.locator('[role="log"] [data-message] p').allTextContents(), { timeout: UI_TIMEOUT_MS }).toContain('the view from here');

    const { rows } = await env.db.pool.query<{ messages: number; media: number; attached: number }>(
      `SELECT (SELECT count(*)::int FROM messages WHERE content = 'the view from here') AS messages,
              (SELECT count(*)::int FROM media) AS media,
              (SELECT count(*)::int FROM message_attachments) AS attached`,
    );
    expect(rows[0]).toEqual({ messages: 1, media: 1, attached: 1 });
  });

  it('[F1][F2][F6] a voice note recorded in the app (a fake microphone) is sent once and plays on the other page', async () => {
    const alice = await env.openChat(await env.newContext());
    const bob = await env.openChat(await env.newContext());
    await Promise.all([waitUntilLive(alice), waitUntilLive(bob)]);
    await alice.getByRole('button', { name: 'Record a voice note' }).click();
    await alice.getByLabel('Recording time').waitFor();
    await expect.poll(() => alice.getByLabel('Recording time').textContent(), { timeout: UI_TIMEOUT_MS }).not.toMatch(/0:00$/);
    await alice.getByRole('button', { name: 'Stop recording and send' }).click();
    await alice.locator('[role="log"] [data-status] [data-attachment="audio"]').waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => alice.locator('[role="log"] [data-status]').last().getAttribute('data-status'), { timeout: DELIVERY_TIMEOUT_MS }).toBe('sent');
    await bob.locator('[role="log"] [data-message] [data-attachment="audio"]').waitFor({ timeout: DELIVERY_TIMEOUT_MS });
    const { rows } = await env.db.pool.query<{ kind: string; mime: string; duration_ms: number | null }>("SELECT kind, mime, duration_ms FROM media WHERE kind = 'audio'");
    expect(rows).toHaveLength(1);
    expect(rows[0].mime).toMatch(/^audio\//);
  });
  it('[F2][F3] an upload cut midway by the network resumes from the server\'s offset, and the photo is sent once', async () => {
    // Random pixels do not compress: a PNG of several MB, so many PATCHes.
    const side = 1500;
    const png = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png().toBuffer();
    expect(png.length).toBeGreaterThan(4 * UPLOAD_CHUNK_SIZE);
    const caption = 'a big noisy photo';

    const alice = await env.openChat(await env.newContext());
    const bob = await env.openChat(await env.newContext());
    await Promise.all([waitUntilLive(alice), waitUntilLive(bob)]);

    // The uploads run in the connection worker; its requests are the page's.
    const uploadRequests: { method: string; offset: string | null }[] = [];
    alice.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/uploads')) uploadRequests.push({ method: request.method(), offset: request.headers()['upload-offset'] ?? null });
    });
    const patchOffsets = () => uploadRequests.filter((request) => request.method === 'PATCH').map((request) => Number(request.offset));

    // On loopback the whole file goes up in a blink: the link stalls after
    // three chunks (the fourth PATCH is held by the proxy, unanswered), so
    // the cut lands midway at a known point.
    const chunksBeforeStall = 3;
    let patches = 0;
    env.proxy.holdHttp = (request) => request.method === 'PATCH' && (request.url ?? '').startsWith('/v1/uploads') && ++patches > chunksBeforeStall;

    await alice.getByRole('textbox', { name: 'Message' }).fill(caption);
    await alice.locator('[data-testid="attach-input"]').setInputFiles({ name: 'noise.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => env.proxy.held.length, { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0);
    const stalledAt = chunksBeforeStall * UPLOAD_CHUNK_SIZE;
    expect(env.proxy.held[0]).toMatchObject({ method: 'PATCH', uploadOffset: String(stalledAt) });
    expect(patchOffsets()).toEqual([0, 1, 2, 3].map((chunk) => chunk * UPLOAD_CHUNK_SIZE));
    // The server has some of the bytes, not all: the upload exists and is unfinished.
    const { rows: midway } = await env.db.pool.query<{ completed: boolean }>('SELECT completed_at IS NOT NULL AS completed FROM uploads WHERE size = $1', [png.length]);
    expect(midway).toEqual([{ completed: false }]);
    expect(await alice.locator('[role="log"] [data-status]').last().getAttribute('data-status')).toBe('pending');

    // The network dies (the held PATCH and the WebSocket with it) and comes back.
    const beforeCut = uploadRequests.length;
    env.proxy.holdHttp = null;
    env.proxy.setRefusing(true);
    env.proxy.cutAll();
    await new Promise((resolve) => setTimeout(resolve, 500));
    env.proxy.setRefusing(false);

    await expect.poll(() => alice.locator('[role="log"] [data-status]').last().getAttribute('data-status'), { timeout: DELIVERY_TIMEOUT_MS }).toBe('sent');
    const afterCut = uploadRequests.slice(beforeCut);
    // It asked the server where it was (HEAD) and went on from there, not from zero, on the same upload.
    expect(afterCut.map((request) => request.method)).toContain('HEAD');
    expect(afterCut.map((request) => request.method)).not.toContain('POST');
    const firstPatchAfterCut = afterCut.find((request) => request.method === 'PATCH');
    expect(Number(firstPatchAfterCut?.offset)).toBe(stalledAt);
    expect(uploadRequests.filter((request) => request.method === 'POST')).toHaveLength(1);

    await bob.locator('[role="log"] [data-message] [data-attachment="image"][data-loaded]').last().waitFor({ timeout: DELIVERY_TIMEOUT_MS });
    await expect.poll(() => bob.locator('[role="log"] [data-message] p').allTextContents(), { timeout: UI_TIMEOUT_MS }).toContain(caption);

    const { rows } = await env.db.pool.query<{ messages: number; uploads: number; media: number; attached: number }>(
      `SELECT (SELECT count(*)::int FROM messages WHERE content = $1) AS messages,
              (SELECT count(*)::int FROM uploads WHERE size = $2) AS uploads,
              (SELECT count(*)::int FROM media WHERE width = $3 AND height = $3) AS media,
              (SELECT count(*)::int FROM message_attachments a JOIN messages m ON m.id = a.message_id WHERE m.content = $1) AS attached`,
      [caption, png.length, side],
    );
    expect(rows[0]).toEqual({ messages: 1, uploads: 1, media: 1, attached: 1 });
  });
});
