/**
 * The app as people see it, on a phone (390×844) and a desktop (1440×900),
 * light and dark: a seeded conversation, own messages sent, one queued
 * offline. Shots go to tests/output/screenshots/ (not committed). With
 * UPDATE_README_SCREENSHOTS=1 the light phone and desktop shots also replace
 * client/screenshots/{phone,desktop}.png, which the README shows.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { createSession, restSend } from '../support/fixtures.js';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, type E2eEnv } from './support/e2e-env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUTPUT_DIR = path.join(ROOT, 'tests/output/screenshots');
const README_DIR = path.join(ROOT, 'client/screenshots');

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 } };
/** The one-time "ready to work offline" toast would cover the top of every shot. */
const QUIET: BrowserContextOptions = { locale: 'en-US', timezoneId: 'Europe/Berlin', serviceWorkers: 'block' };

const SEED: ReadonlyArray<readonly [number, string]> = [
  [0, 'Morning! Is the new build out yet?'],
  [1, 'Deployed ten minutes ago 🚀'],
  [0, 'Trying it on the train. The tunnel near the station used to eat half my messages.'],
  [1, 'That was the whole point of this release: every message is saved on your phone first and sent as soon as there is a connection.\nReloads, dead sockets, lost acks: nothing is lost and nothing shows up twice.'],
  [2, 'Does it escape HTML? Asking for a friend: <img src=x onerror=alert(1)>'],
  [1, 'Plain text, as it should be 😄'],
];
/** Per device (two different people): two sent, then one queued offline. */
const OWN = {
  phone: ['Just came out of the tunnel. Everything arrived, in order 🎉', 'Sharing it with the team now', 'This one waits for the next station'],
  desktop: ['Same here on the laptop, nothing missing 👍', 'Writing the release notes now', 'Wi-Fi just dropped, this one is queued'],
};

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
  await mkdir(OUTPUT_DIR, { recursive: true });
  const users = [await createSession(env.serverUrl), await createSession(env.serverUrl), await createSession(env.serverUrl)];
  for (const [user, content] of SEED) {
    const { status } = await restSend(env.serverUrl, users[user].token, { data: [{ client_id: ulid(), content }] });
    expect(status).toBe(200);
  }
});
afterAll(async () => {
  await env?.close();
});

async function shoot(page: Page, name: string): Promise<string> {
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  return file;
}

async function conversation(options: BrowserContextOptions, [first, second, queued]: string[]): Promise<Page> {
  const context = await env.newContext({ ...QUIET, ...options });
  const page = await env.openChat(context);
  await expect.poll(async () => (await shownMessages(page)).length, { timeout: UI_TIMEOUT_MS }).toBeGreaterThanOrEqual(SEED.length);
  for (const text of [first, second]) await sendMessage(page, text);
  await expect.poll(async () => (await ownMessages(page)).map((m) => m.status), { timeout: UI_TIMEOUT_MS }).toEqual(['sent', 'sent']);
  // R3: markup in a message arrives as text.
  expect(await page.getByRole('log').locator('img').count()).toBe(0);
  // One message queued offline shows the pending clock.
  await context.setOffline(true);
  await page.locator('[data-phase="offline"]').waitFor();
  await sendMessage(page, queued);
  await expect.poll(async () => (await ownMessages(page)).at(-1), { timeout: UI_TIMEOUT_MS }).toEqual({ text: queued, status: 'pending' });
  return page;
}

describe('screenshots', () => {
  it('[C9] phone and desktop, light and dark', async () => {
    const shots: Record<string, string> = {};
    for (const [device, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const page = await conversation(options, OWN[device]);
      shots[device] = await shoot(page, `${device}-light`);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shoot(page, `${device}-dark`);
      await page.context().setOffline(false);
    }
    if (process.env.UPDATE_README_SCREENSHOTS === '1') {
      await copyFile(shots.phone, path.join(README_DIR, 'phone.png'));
      await copyFile(shots.desktop, path.join(README_DIR, 'desktop.png'));
    }
  });
});
