import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * F1–F3, F6 in two real browsers: a photo picked offline is kept with its
 * message through a reload, uploaded once the network is back, sent once,
 * and shown to the other user.
 */

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
});
