/**
 * The app as people see it, on a phone (390×844) and a desktop (1440×900),
 * light and dark: a seeded conversation in general, a private group and a DM
 * with unread messages, own messages sent, one queued offline. The desktop
 * shows the room list beside general; the phone its home screen, the room
 * list, and general on its own. Shots go to tests/output/screenshots/ (not
 * committed). With UPDATE_README_SCREENSHOTS=1 the light phone list and
 * desktop shots also replace client/screenshots/{phone,desktop}.png, which
 * the README shows.
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

type Session = Awaited<ReturnType<typeof createSession>>;
let env: E2eEnv;
let users: Session[];
beforeAll(async () => {
  env = await createE2eEnv();
  await mkdir(OUTPUT_DIR, { recursive: true });
  users = [await createSession(env.serverUrl), await createSession(env.serverUrl), await createSession(env.serverUrl)];
  const ids: string[] = [];
  for (const [user, content] of SEED) {
    const { status, body } = await restSend(env.serverUrl, users[user].token, { data: [{ client_id: ulid(), content }] });
    expect(status).toBe(200);
    ids.push((body.message_ids as string[])[0]);
  }
  // X1–X3 in the shots: reactions, a reply quoting the first message, an edited message.
  const react = async (user: number, message: number, emoji: string) =>
    expect((await fetch(`${env.serverUrl}/v1/chat/messages/${ids[message]}/reactions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${users[user].token}` }, body: JSON.stringify({ emoji }) })).ok).toBe(true);
  await react(0, 1, '🎉');
  await react(2, 1, '🎉');
  await react(0, 5, '😂');
  const reply = await restSend(env.serverUrl, users[2].token, { data: [{ client_id: ulid(), content: 'Same question, on the old build it took three reloads', reply_to: ids[0] }] });
  expect(reply.status).toBe(200);
  const edited = await fetch(`${env.serverUrl}/v1/chat/messages/${ids[5]}`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${users[1].token}` }, body: JSON.stringify({ content: 'Plain text, as it should be 😄 Links work too: https://example.com' }) });
  expect(edited.ok).toBe(true);
});

afterAll(async () => {
  await env?.close();
});

async function rest(token: string, method: string, path: string, body: unknown): Promise<{ id: string }> {
  const response = await fetch(`${env.serverUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as { id: string };
}

/** The user id the page's device was given (P1), from IndexedDB. */
async function deviceUserId(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('whisper');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction('meta').objectStore('meta').get('identity');
          read.onsuccess = () => {
            open.result.close();
            resolve((read.result as { value: { user_id: string } }).value.user_id);
          };
        };
      }),
  );
}

/** A private group the device's user was added to and a DM with them, each with messages they have not read (M6). */
async function roomsFor(page: Page): Promise<void> {
  const me = await deviceUserId(page);
  const [ana, ben, cleo] = users;
  const group = await rest(ana.token, 'POST', '/v1/rooms', { id: ulid().toLowerCase(), name: 'Trip to Lisbon', kind: 'group', user_ids: [me, ben.user_id] });
  const dm = await rest(cleo.token, 'POST', '/v1/dms', { user_id: me });
  // The device knows both rooms before their messages are written: a room
  // that arrives with its history counts none of it as unread (a new device
  // starts with nothing unread), messages arriving after it do. On a phone
  // the list is hidden while a room is open: look in the DOM.
  const rooms = page.getByRole('navigation', { name: 'Rooms', includeHidden: true });
  await expect.poll(() => rooms.getByRole('link', { includeHidden: true }).count(), { timeout: UI_TIMEOUT_MS }).toBe(3);
  for (const [user, room, content] of [
    [ana, group.id, 'Flights are booked ✈️'],
    [ben, group.id, 'Who brings the guidebook?'],
    [cleo, dm.id, 'Got a minute after lunch?'],
  ] as const) {
    expect((await restSend(env.serverUrl, user.token, { data: [{ client_id: ulid(), room_id: room, content }] })).status).toBe(200);
  }
  // The unread counts are the sr-only part of each link's description.
  await expect.poll(() => rooms.getByText('2 unread messages.').count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
  await expect.poll(() => rooms.getByText('1 unread message.').count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
}

async function shoot(page: Page, name: string): Promise<string> {
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  return file;
}

async function conversation(options: BrowserContextOptions, [first, second, queued]: string[]): Promise<Page> {
  const context = await env.newContext({ ...QUIET, ...options });
  const page = await env.openChat(context);
  await expect.poll(async () => (await shownMessages(page)).length, { timeout: UI_TIMEOUT_MS }).toBeGreaterThanOrEqual(SEED.length);
  await roomsFor(page);
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
  it('[C9][M6] phone and desktop, light and dark', async () => {
    const shots: Record<string, string> = {};
    for (const [device, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const page = await conversation(options, OWN[device]);
      shots[device] = await shoot(page, `${device}-light`);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shoot(page, `${device}-dark`);
      if (device === 'phone') {
        // The phone's home screen: the room list, unread counts and the queued message's preview.
        await page.emulateMedia({ colorScheme: 'light' });
        await page.getByRole('button', { name: 'Back to rooms' }).click();
        await page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'Trip to Lisbon' }).waitFor();
        shots.phoneRooms = await shoot(page, 'phone-rooms-light');
        await page.emulateMedia({ colorScheme: 'dark' });
        await shoot(page, 'phone-rooms-dark');
      }
      await page.context().setOffline(false);
    }
    if (process.env.UPDATE_README_SCREENSHOTS === '1') {
      await copyFile(shots.phoneRooms, path.join(README_DIR, 'phone.png'));
      await copyFile(shots.desktop, path.join(README_DIR, 'desktop.png'));
    }
  });
});
