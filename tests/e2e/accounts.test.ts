import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

const USERNAME = 'e2e_walker';
const PASSWORD = 'lantern orchard 1987 moss';

const texts = async (page: Page) => (await shownMessages(page)).map((m) => m.text);
const storedCount = async (content: string) =>
  (await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE content = $1', [content])).rows[0].n;

async function openProfile(page: Page) {
  await page.getByRole('button', { name: /^Your profile/ }).click();
  return page.getByRole('dialog');
}

async function fillCredentials(page: Page, username: string, password: string) {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Username' }).fill(username);
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByLabel('Password', { exact: true }).press('Enter');
}

describe('accounts', () => {
  let first: Page;
  let second: Page;
  const firstContext = () => first.context();
  const secondContext = () => second.context();

  it('[A1][A2] an anonymous user signs up keeping their chats; another device logs in and sees the same rooms and history', async () => {
    first = await env.openChat(await env.newContext());
    await sendMessage(first, 'written before the account');
    await expect.poll(async () => (await ownMessages(first)).map((m) => m.status), { timeout: UI_TIMEOUT_MS }).toEqual(['sent']);

    // The one-time note in the identity card's corner leads to the form.
    const nudge = first.getByRole('complementary', { name: 'Account' });
    await nudge.getByRole('button', { name: 'Create account' }).click();
    const dialog = first.getByRole('dialog', { name: 'Create an account' });
    await dialog.waitFor();
    await expect.poll(() => dialog.getByRole('textbox', { name: 'Username' }).getAttribute('autocomplete')).toBe('username');
    expect(await dialog.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).toBe('new-password');
    // A weak password is refused inline, with the server's reason.
    await fillCredentials(first, USERNAME, 'password');
    await dialog.getByText(/Choose a stronger password/).waitFor();
    await fillCredentials(first, USERNAME, PASSWORD);
    await first.getByRole('dialog', { name: 'Your profile' }).getByText(/Account created/).waitFor();
    await first.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    // A1: same identity: the history and its sent state are as they were.
    await first.getByRole('button', { name: new RegExp(`^Your profile: .*, ${USERNAME}$`) }).waitFor();
    expect(await texts(first)).toEqual(['written before the account']);

    // Another device: anonymous at first, then logs in.
    second = await env.openChat(await env.newContext());
    await waitUntilLive(second);
    const profile = await openProfile(second);
    await profile.getByRole('button', { name: 'I have an account: log in' }).click();
    await second.getByRole('dialog', { name: 'Log in' }).waitFor();
    expect(await second.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).toBe('current-password');
    await fillCredentials(second, USERNAME, 'not the password');
    await second.getByRole('dialog').getByText('Wrong username or password.').waitFor();
    await fillCredentials(second, USERNAME, PASSWORD);
    // The page starts afresh under the account: same rooms, same history.
    await expect.poll(() => texts(second), { timeout: UI_TIMEOUT_MS }).toEqual(['written before the account']);
    await second.getByRole('button', { name: new RegExp(`^Your profile: .*, ${USERNAME}$`) }).waitFor();
    const rooms = async (page: Page) => (await page.getByRole('navigation', { name: 'Rooms' }).getByRole('link').allTextContents()).sort();
    await expect.poll(() => rooms(second), { timeout: UI_TIMEOUT_MS }).toEqual(await rooms(first));
  });

  it('[A2][C1][C5] both devices queue offline and flush when back: each message is stored once and shown on both', async () => {
    await env.goOffline(firstContext(), secondContext());
    await sendMessage(first, 'offline from the first device');
    await sendMessage(second, 'offline from the second device');
    await env.goOnline(firstContext(), secondContext());
    for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 2000));
    }
    for (const page of [first, second]) {
      await expect.poll(async () => (await ownMessages(page)).filter((m) => m.status !== 'sent'), { timeout: UI_TIMEOUT_MS * 2 }).toEqual([]);
      await expect
        .poll(async () => (await texts(page)).sort(), { timeout: UI_TIMEOUT_MS })
        .toEqual(['offline from the first device', 'offline from the second device', 'written before the account'].sort());
    }
    expect(await storedCount('offline from the first device')).toBe(1);
    expect(await storedCount('offline from the second device')).toBe(1);
  });

  it('[A4] logging out with unsent work warns first; waiting sends it, then logs out', async () => {
    await env.goOffline(firstContext());
    await sendMessage(first, 'unsent at logout');
    const dialog = await openProfile(first);
    await dialog.getByRole('button', { name: 'Log out', exact: true }).click();
    const warning = first.getByRole('dialog', { name: 'Before you log out' });
    await warning.getByText('1 message you wrote hasn’t been sent yet.').waitFor();
    expect(await warning.getByRole('button', { name: 'Wait until sent' }).isDisabled()).toBe(true);
    await warning.getByText(/You’re offline/).waitFor();
    await warning.getByRole('button', { name: 'Log out and discard them' }).waitFor();

    // Back online, waiting is possible; the message goes out and the logout follows by itself.
    await env.goOnline(firstContext());
    const wait = warning.getByRole('button', { name: 'Wait until sent' });
    await wait.click({ timeout: UI_TIMEOUT_MS }).catch(() => undefined); // it may have gone on already
    await expect.poll(() => storedCount('unsent at logout'), { timeout: UI_TIMEOUT_MS }).toBe(1);
    // Logged out: a fresh anonymous identity; the account's messages (in the public room) are someone else's now.
    await first.getByRole('button', { name: /^Your profile: .*, anonymous$/ }).waitFor({ timeout: UI_TIMEOUT_MS * 2 });
    await expect.poll(() => texts(first), { timeout: UI_TIMEOUT_MS }).toContain('unsent at logout');
    expect(await ownMessages(first)).toEqual([]);
    // The other device is still logged in.
    await waitUntilLive(second);
    await expect.poll(() => texts(second), { timeout: UI_TIMEOUT_MS }).toContain('unsent at logout');
  });
  it('[A2][P1] logging in as someone else with unsent work: it stays on the device and is sent when its writer logs in here again', async () => {
    const other = { username: 'e2e_other', password: 'quiet harbour 2231 fern' };
    expect((await fetch(`${env.serverUrl}/v1/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(other) })).status).toBe(201);
    await waitUntilLive(second);
    // The socket hears nothing (REST still works): the message stays unsent.
    // The page's own path is what this proves, so the service worker's
    // Background Sync (which would send it through REST, as the walker, at
    // once; W3) is switched off here.
    await second.evaluate(() => {
      Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync', { configurable: true, get: () => ({ register: async () => undefined, getTags: async () => [] }) });
    });
    env.proxy.setSilent(true);
    await sendMessage(second, 'kept for the walker');
    let dialog = await openProfile(second);
    await dialog.getByRole('button', { name: 'Log in as someone else' }).click();
    const warning = second.getByRole('dialog', { name: 'Before you log in' });
    await warning.getByText(`They stay on this device and are sent when ${USERNAME} logs in here again.`).waitFor();
    await warning.getByRole('button', { name: 'Log in anyway' }).click();
    await fillCredentials(second, other.username, other.password);
    await second.getByRole('button', { name: new RegExp(`^Your profile: .*, ${other.username}$`) }).waitFor({ timeout: UI_TIMEOUT_MS * 2 });
    env.proxy.setSilent(false);
    await waitUntilLive(second);
    // Not sent under the other account.
    expect(await storedCount('kept for the walker')).toBe(0);

    // The other account logs out (nothing of its own unsent: no warning); the walker logs in again.
    dialog = await openProfile(second);
    await dialog.getByRole('button', { name: 'Log out', exact: true }).click();
    await second.getByRole('button', { name: /^Your profile: .*, anonymous$/ }).waitFor({ timeout: UI_TIMEOUT_MS * 2 });
    expect(await storedCount('kept for the walker')).toBe(0);
    dialog = await openProfile(second);
    await dialog.getByRole('button', { name: 'I have an account: log in' }).click();
    await fillCredentials(second, USERNAME, PASSWORD);
    await second.getByRole('button', { name: new RegExp(`^Your profile: .*, ${USERNAME}$`) }).waitFor({ timeout: UI_TIMEOUT_MS * 2 });
    await expect.poll(() => storedCount('kept for the walker'), { timeout: UI_TIMEOUT_MS }).toBe(1);
    const { rows } = await env.db.pool.query<{ username: string }>('SELECT u.username FROM messages m JOIN users u ON u.id = m.user_id WHERE m.content = $1', ['kept for the walker']);
    expect(rows).toEqual([{ username: USERNAME }]);
  });
});
