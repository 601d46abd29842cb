/**
 * W2 in the browser: a new version of the service worker (the same build
 * with a changed sw.js, answered by the proxy as a new deployment would
 * serve it) installs and waits. The page offers it, but while the composer
 * holds unsent text it neither reloads nor lets the update apply; once the
 * text is sent, "Reload" moves the page onto the new worker.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/** The build the server serves (tests/setup/client-build.global.ts). */
const SW_PATH = fileURLToPath(new URL('../../client/dist/sw.js', import.meta.url));

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

type Marked = Window & { whisperBeforeUpdate?: boolean };

describe('W2 update prompt', () => {
  it('[W2] a waiting version is offered but never applied while the composer holds unsent text; once it is sent, Reload moves the page onto it', async () => {
    const context = await env.newContext();
    const page = await env.openChat(context);
    await waitUntilLive(page);
    await waitForServiceWorker(page);
    // Gone when the page reloads.
    await page.evaluate(() => ((window as Marked).whisperBeforeUpdate = true));
    const stillSamePage = () => page.evaluate(() => (window as Marked).whisperBeforeUpdate === true);

    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('half a thought');

    // A new deployment: the worker's script differs by a byte (its precache list is the same).
    const newWorker = `${readFileSync(SW_PATH, 'utf8')}\n// next version\n`;
    env.proxy.answerHttp = (request) =>
      request.method === 'GET' && request.url?.split('?')[0] === '/sw.js'
        ? { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }, body: newWorker }
        : null;
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.ready).update();
    });
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null, undefined, { timeout: UI_TIMEOUT_MS });

    // Offered, blocked: the notice says why and its Reload does nothing.
    const notice = page.getByRole('status').filter({ hasText: 'A new version of Whisper is ready' });
    await notice.getByText('Update after your messages are sent').waitFor();
    const reload = notice.getByRole('button', { name: 'Reload' });
    expect(await reload.isDisabled()).toBe(true);
    await reload.click({ force: true });
    expect(await stillSamePage()).toBe(true);
    expect(await composer.inputValue()).toBe('half a thought');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null)).toBe(true);

    // Sent and acked: nothing unsent is left, the update may apply.
    await composer.press('Enter');
    await expect.poll(() => ownMessages(page), { timeout: UI_TIMEOUT_MS }).toEqual([{ text: 'half a thought', status: 'sent' }]);
    await expect.poll(() => reload.isEnabled(), { timeout: UI_TIMEOUT_MS }).toBe(true);
    await Promise.all([page.waitForEvent('load', { timeout: UI_TIMEOUT_MS }), reload.click()]);

    // A fresh page, controlled by the new worker (nothing waits any more), with the message still there.
    expect(await stillSamePage()).toBe(false);
    await page.waitForFunction(
      async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return registration?.waiting === null && navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller === registration.active;
      },
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    await expect.poll(() => ownMessages(page), { timeout: UI_TIMEOUT_MS }).toEqual([{ text: 'half a thought', status: 'sent' }]);
  });
});
