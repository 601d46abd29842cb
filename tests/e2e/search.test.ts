import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityOf } from './support/identity.js';
import { createE2eEnv, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * Message search in the browser, against the real GET /v1/search: a hit in
 * a room the page has not cached that far back opens that room at the hit.
 */

/** A word nothing else in the room has. */
const WORD = 'zanzibarquokka';
/** Messages after the hit: more than the newest page a device fetches (50), so the hit is neither cached nor on screen. */
const AFTER = 80;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
  // Someone else writes in general before the page opens: the hit, then AFTER more.
  const token = ((await (await fetch(`${env.serverUrl}/v1/session`, { method: 'POST' })).json()) as { token: string }).token;
  const contents = [`meet me at the ${WORD} statue`, ...Array.from({ length: AFTER }, (_, i) => `filler message ${i + 1}`)];
  const response = await fetch(`${env.serverUrl}/v1/chat/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'messages', data: contents.map((content, i) => ({ client_id: `seed-${i}`, content })) }),
  });
  expect(response.status).toBe(200);
});
afterAll(async () => {
  await env?.close();
});

const rooms = (page: Page) => page.getByRole('navigation', { name: 'Rooms' });

describe('search in the browser', () => {
  it('[Q1][Q3] Ctrl+K from another room finds a word, shows it highlighted, and opens its room at that message, loaded and flashed', async () => {
    const page = await env.openChat(await env.newContext());
    await waitUntilLive(page);
    // The page's user also has a room of their own, which is where they search from.
    const { token } = await identityOf(page);
    const created = await fetch(`${env.serverUrl}/v1/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'public', name: 'Elsewhere' }),
    });
    expect(created.status).toBe(201);
    await rooms(page).getByRole('link', { name: /Elsewhere/ }).click();
    await page.getByRole('heading', { name: 'Elsewhere' }).waitFor();
    // The hit is not among what the device has of general (its newest page).
    expect(await page.locator('[role="log"]').textContent()).not.toContain(WORD);

    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Search messages' });
    await dialog.getByRole('combobox', { name: 'Search for' }).fill(WORD);
    const option = dialog.getByRole('option').filter({ hasText: WORD });
    await option.waitFor();
    // The server's snippet, its match highlighted; the hit is under its room's name.
    expect(await option.locator('mark').first().textContent()).toBe(WORD);
    expect(await dialog.getByRole('group', { name: 'general' }).getByRole('option').count()).toBe(1);
    // From the server, not the device's cache.
    expect(await dialog.getByText(/from this device/).count()).toBe(0);

    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'general' }).waitFor();
    // Shown and flashed (the highlight fades after a moment), inside the log's visible area.
    const hit = page.locator('[role="log"] [data-focused]').filter({ hasText: WORD });
    await hit.waitFor({ timeout: UI_TIMEOUT_MS });
    const [box, log] = await Promise.all([hit.boundingBox(), page.locator('[role="log"]').boundingBox()]);
    expect(box && log && box.y >= log.y && box.y + box.height <= log.y + log.height).toBe(true);
    // With the messages after it loaded around it, and the address the room's own again.
    await expect.poll(() => page.locator('[role="log"]').textContent()).toContain('filler message 1');
    expect(new URL(page.url()).pathname).toBe('/rooms/general');
    await expect.poll(() => page.locator('[role="log"] [data-focused]').count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
  });

  it('[Q2] offline, search answers from the messages on the device and says so', async () => {
    const context = await env.newContext();
    const page = await env.openChat(context);
    await waitUntilLive(page);
    await page.getByRole('heading', { name: 'general' }).waitFor();
    // The dialog's code comes from the service worker's cache offline.
    await waitForServiceWorker(page);
    await env.goOffline(context);
    await page.getByRole('button', { name: 'Search in this room' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search messages' });
    await dialog.getByText('In General').waitFor();
    // "filler message 8…" is the device's newest page; the hit itself is older than the cache.
    await dialog.getByRole('combobox', { name: 'Search for' }).fill('Filler 8');
    await dialog.getByText('Results from this device (offline)', { exact: false }).waitFor();
    const found = await dialog.getByRole('option').allTextContents();
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((text) => /filler message 8\d?$/.test(text))).toBe(true);
    await dialog.getByRole('combobox', { name: 'Search for' }).fill(WORD);
    await dialog.getByText(/No messages match/).waitFor();
    await env.goOnline(context);
  });
});
