import type { BrowserContextOptions, Page } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { animationsSettled, intersects, putOutboxRow, refusePersistentStorage, visibleBoxes } from './support/first-run.js';
import { createSession, restSend } from '../support/fixtures.js';
import { createE2eEnv, ownMessages, sendMessage, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * What a new user meets in the first minutes: the first-install toast, the
 * storage warning, the connection indicator when the server is down, the
 * skip link, and the time on a message written offline.
 */

const PHONE: BrowserContextOptions = { viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
/** Connect, catch up, flush, ack once the way is clear. */
const DELIVERY_TIMEOUT_MS = 30_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

const indicator = (page: Page) => page.locator('[role="status"][data-phase]');
const storageNotice = (page: Page) => page.getByRole('region', { name: 'Storage notice' });
const composer = (page: Page) => page.locator('form').filter({ has: page.getByRole('textbox', { name: 'Message' }) });

describe('first run', () => {
  for (const [device, options] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`[W1][C9] first run: no toast over the header, no storage warning without cause (${device})`, async () => {
      // A conversation going on: its newest messages sit at the bottom, where the toast goes.
      const someone = await createSession(env.serverUrl);
      const seeded = Array.from({ length: 8 }, (_, i) => `${device}: message ${i} from someone else`);
      await restSend(env.serverUrl, someone.token, { data: seeded.map((content) => ({ client_id: ulid(), content })) });
      const context = await env.newContext(options);
      await refusePersistentStorage(context);
      const page = await env.openChat(context);
      await waitUntilLive(page);
      // In the log: the room list's preview shows the newest message too.
      await page.getByRole('log').getByText(seeded.at(-1)!).waitFor();

      // W1: the first install announces itself, at rest where it covers nothing.
      const toast = page.locator('[role="status"][aria-live="polite"]').filter({ hasText: 'Ready to work offline' });
      await toast.waitFor();
      await animationsSettled(page);
      const [toastBox] = await visibleBoxes(toast);
      expect(toastBox).toBeDefined();
      const viewport = page.viewportSize()!;
      expect(toastBox.y).toBeGreaterThanOrEqual(0);
      expect(toastBox.y + toastBox.height).toBeLessThanOrEqual(viewport.height);
      const headers = await visibleBoxes(page.locator('header'));
      // The room's bar, on both (a phone shows the room alone, with its way back to the list).
      expect(headers.length).toBe(1);
      for (const header of headers) expect(intersects(toastBox, header), 'toast over a header').toBe(false);
      const [composerBox] = await visibleBoxes(composer(page));
      expect(intersects(toastBox, composerBox), 'toast over the composer').toBe(false);
      expect(intersects(toastBox, (await visibleBoxes(indicator(page)))[0]), 'toast over the connection status').toBe(false);
      // Nor over the messages: the list ends above it, the newest message in view.
      const [logBox] = await visibleBoxes(page.getByRole('log'));
      const shown = (await visibleBoxes(page.locator('[role="log"] [data-message]'))).filter((box) => intersects(box, logBox));
      expect(shown.length).toBeGreaterThan(0);
      for (const box of shown) expect(intersects(toastBox, box), 'toast over a message').toBe(false);
      const newest = await visibleBoxes(page.locator('[role="log"] [data-message]').filter({ hasText: seeded.at(-1)! }));
      expect(newest[0].y + newest[0].height).toBeLessThanOrEqual(toastBox.y);

      // Dismissible.
      await toast.getByRole('button', { name: 'OK' }).click();
      await expect.poll(() => toast.count()).toBe(0);

      // The browser refused persistent storage, but nothing is unsent: no warning.
      await page.waitForFunction(() => (window.__persistCalls ?? 0) > 0);
      expect(await storageNotice(page).count()).toBe(0);

      // With a cause (a message waiting in the outbox) the warning is there,
      // and it leaves with the cause.
      await env.goOffline(context);
      try {
        await page.locator('[role="status"][data-phase="offline"]').waitFor();
        await sendMessage(page, `written offline on the ${device}`);
        await storageNotice(page).waitFor();
      } finally {
        await env.goOnline(context);
      }
      await expect.poll(async () => (await ownMessages(page)).map((m) => m.status), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(['sent']);
      await storageNotice(page).waitFor({ state: 'detached' });
    });
  }

  it('[C9] the skip link, focused, covers nothing: it pushes the page down', async () => {
    for (const options of [PHONE, DESKTOP]) {
      const context = await env.newContext({ ...options, serviceWorkers: 'block' });
      const page = await env.openChat(context);
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      await expect.poll(() => skip.evaluate((element) => element === document.activeElement)).toBe(true);
      await animationsSettled(page);
      const [skipBox] = await visibleBoxes(skip);
      expect(skipBox).toBeDefined();
      const covered = [
        ...(await visibleBoxes(page.locator('header'))),
        ...(await visibleBoxes(page.getByRole('button', { name: 'Open menu' }))),
        ...(await visibleBoxes(page.getByText('Whisper', { exact: true }))),
        ...(await visibleBoxes(page.getByRole('navigation', { name: 'Rooms' }))),
      ];
      expect(covered.length).toBeGreaterThan(0);
      for (const box of covered) expect(intersects(skipBox, box), 'skip link over the page').toBe(false);
      // It works: Enter moves focus to the main area.
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
      await context.close();
    }
  });

  it('[C3] server unreachable is not "offline", and Retry now reconnects', async () => {
    const context = await env.newContext(DESKTOP);
    const page = await env.openChat(context);
    await waitUntilLive(page);
    const retry = page.getByRole('button', { name: 'Retry now' });
    const retryInSeconds = async () => Number((await indicator(page).textContent())?.match(/retrying in (\d+) s/)?.[1] ?? NaN);

    await env.stopServer();
    let restarted = false;
    try {
      // The browser is online; the server does not answer.
      await page.locator('[role="status"][data-phase="unreachable"]').waitFor();
      expect(await page.evaluate(() => navigator.onLine)).toBe(true);
      await expect.poll(() => indicator(page).textContent()).toMatch(/can.t reach the server/i);
      expect(await indicator(page).textContent()).not.toMatch(/offline/i);

      // Several failed attempts (Retry now while the server is still down)
      // push the next automatic one far out: waiting for it would outlast the
      // wait below.
      for (let attempt = 0; attempt < 12 && !((await retryInSeconds()) >= 12); attempt++) {
        const opened = page.waitForEvent('websocket');
        await retry.click();
        const socket = await opened;
        // Refused: an error, then the close.
        if (!socket.isClosed()) await new Promise((resolve) => socket.once('close', resolve));
        await page.locator('[role="status"][data-phase="unreachable"]').waitFor();
        await expect.poll(retryInSeconds).toBeGreaterThan(0);
      }
      expect(await retryInSeconds()).toBeGreaterThanOrEqual(12);

      await env.startServer();
      restarted = true;
      const backoffLeftMs = ((await retryInSeconds()) - 1) * 1000;
      expect(backoffLeftMs).toBeGreaterThanOrEqual(10_000);
      const clickedAt = Date.now();
      await retry.click();
      // Live at once: well before the automatic attempt would even start.
      await page.locator('[role="status"][data-phase="online"]').waitFor({ timeout: backoffLeftMs - 1_000 });
      expect(Date.now() - clickedAt).toBeLessThan(backoffLeftMs);
      expect(await retry.count()).toBe(0);
    } finally {
      if (!restarted) await env.startServer();
    }
  });

  it('[C6] a pending message keeps the time it was written', async () => {
    const context = await env.newContext(DESKTOP);
    const page = await env.openChat(context);
    await waitUntilLive(page);
    await waitForServiceWorker(page);

    const content = 'written in the tunnel seven minutes ago';
    const bubble = page.locator('[role="log"] [data-message]').filter({ hasText: content });
    const time = bubble.locator('time');
    const hhmm = (iso: string) =>
      page.evaluate((at) => new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(new Date(at)), iso);

    // Written seven minutes ago, offline (the clock has moved on since).
    await env.goOffline(context);
    const writtenAt = new Date(Date.now() - 7 * 60_000).toISOString();
    const written = await hhmm(writtenAt);
    expect(written).not.toBe(await hhmm(new Date().toISOString()));
    try {
      await page.locator('[role="status"][data-phase="offline"]').waitFor();
      await putOutboxRow(page, { clientId: ulid(Date.parse(writtenAt)), content, createdAt: writtenAt });
      await page.reload();
      await expect.poll(() => bubble.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('pending');
      expect(await time.textContent()).toBe(written);
    } finally {
      await env.goOnline(context);
    }

    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: DELIVERY_TIMEOUT_MS }).toBe('sent');
    // The server stored it with its own, later time; the author still sees when they wrote it.
    const { rows } = await env.db.pool.query<{ created_at: Date }>('SELECT created_at FROM messages WHERE content = $1', [content]);
    expect(rows).toHaveLength(1);
    expect(rows[0].created_at.getTime() - Date.parse(writtenAt)).toBeGreaterThan(5 * 60_000);
    expect(await time.textContent()).toBe(written);
    expect(await time.getAttribute('datetime')).toBe(writtenAt);

    // And from the cache after a reload.
    await page.reload();
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('sent');
    expect(await time.textContent()).toBe(written);
  });
});
