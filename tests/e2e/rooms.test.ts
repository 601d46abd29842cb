import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dmRoomId } from '../../server/protocol/index.js';
import { identityOf } from './support/identity.js';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * Rooms in two real browsers: a group created offline with someone in it,
 * a DM opened by both people offline, and a removed member's page.
 */

/** After the network returns: connect, catch up every room, flush, ack. */
const DELIVERY_TIMEOUT_MS = 45_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});
afterEach(() => {
  // A test that failed offline must not leave the next one without a network.
  env.proxy.setRefusing(false);
});

async function displayName(userId: string, token: string): Promise<string> {
  const response = await fetch(`${env.serverUrl}/v1/users?ids=${userId}`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { data: { display_name: string }[] }).data[0].display_name;
}


const rooms = (page: Page) => page.getByRole('navigation', { name: 'Rooms' });
const texts = async (page: Page) => (await shownMessages(page)).map((m) => m.text);
const statuses = async (page: Page) => (await ownMessages(page)).map((m) => m.status);
const roomIdOf = (page: Page) => new URL(page.url()).pathname.split('/').pop()!;

/** The new-room dialog with someone found by name and picked; `submit` finishes it. */
async function pickPerson(page: Page, field: 'Add people' | 'Person', name: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'New room' });
  await dialog.getByRole('combobox', { name: field }).fill(name.split(' ')[1]);
  await dialog.getByRole('option', { name }).waitFor();
}

/**
 * The dialog is gone, its leave transition included. It navigates to the
 * new room before its transition ends, and when it unmounts it gives the
 * focus back to the button that opened it: a message typed meanwhile can
 * have its Enter land on that button instead of the composer.
 */
async function newRoomDialogGone(page: Page): Promise<void> {
  await page.getByRole('dialog', { name: 'New room' }).waitFor({ state: 'hidden' });
}

async function openChatDirect(context: BrowserContext): Promise<Page> {
  // Not through the proxy: this person's network is fine while the other's dies.
  const page = await context.newPage();
  await page.goto(`${env.serverUrl}/chat`);
  await waitUntilLive(page);
  return page;
}

describe('rooms in the browser', () => {
  it('[M2][M5][C1][C8] a group created offline with someone in it, written in, reloaded offline: back online, the other person sees the room appear and each message once', async () => {
    const aliceContext = await env.newContext();
    const alice = await env.openChat(aliceContext);
    await waitUntilLive(alice);
    await waitForServiceWorker(alice);
    const bob = await openChatDirect(await env.newContext());
    const bobIdentity = await identityOf(bob);
    const bobName = await displayName(bobIdentity.user_id, bobIdentity.token);

    await alice.getByRole('button', { name: 'New room' }).click();
    const dialog = alice.getByRole('dialog', { name: 'New room' });
    await dialog.getByRole('textbox', { name: 'Group name' }).fill('Trip');
    await pickPerson(alice, 'Add people', bobName);
    await dialog.getByRole('option', { name: bobName }).click();
    await env.goOffline(aliceContext);
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await rooms(alice).getByRole('link', { name: 'Trip' }).waitFor();
    await alice.waitForURL(/\/rooms\/[0-9a-z]{26}$/);
    await newRoomDialogGone(alice);
    const tripId = roomIdOf(alice);
    await sendMessage(alice, 'trip one');
    await sendMessage(alice, 'trip two');
    // Both are on the device (C1) before the reload.
    await expect.poll(() => texts(alice), { timeout: UI_TIMEOUT_MS }).toEqual(['trip one', 'trip two']);

    await alice.reload();
    await alice.getByRole('textbox', { name: 'Message' }).waitFor();
    await rooms(alice).getByRole('link', { name: 'Trip' }).waitFor();
    expect(await texts(alice)).toEqual(['trip one', 'trip two']);
    expect(await statuses(alice)).toEqual(['pending', 'pending']);

    await env.goOnline(aliceContext);
    await expect.poll(() => statuses(alice), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(['sent', 'sent']);
    await rooms(bob).getByRole('link', { name: 'Trip' }).click({ timeout: DELIVERY_TIMEOUT_MS });
    await expect.poll(() => texts(bob), { timeout: UI_TIMEOUT_MS }).toEqual(['trip one', 'trip two']);
    const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE room_id = $1', [tripId]);
    expect(rows[0].n).toBe(2);
  });

  it('[W1][C9] on a first visit, once the service worker is installed, a dialog whose code was never loaded opens offline', async () => {
    // Its chunk is not imported after start-up (evaluating it would cost the
    // first screen): the worker's precache is what has it.
    const context = await env.newContext();
    const page = await env.openChat(context);
    await waitUntilLive(page);
    await waitForServiceWorker(page);
    await env.goOffline(context);
    await page.getByRole('button', { name: 'Browse public rooms' }).click();
    await page.getByRole('dialog', { name: 'Browse public rooms' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'New room' }).click();
    await page.getByRole('dialog', { name: 'New room' }).getByRole('textbox', { name: 'Group name' }).waitFor();
    await env.goOnline(context);
  });

  it('[M2][C1] a DM opened by both people while offline is one room holding both messages', async () => {
    const [aliceContext, bobContext] = [await env.newContext(), await env.newContext()];
    const [alice, bob] = [await env.openChat(aliceContext), await env.openChat(bobContext)];
    await Promise.all([waitUntilLive(alice), waitUntilLive(bob)]);
    const [aliceIdentity, bobIdentity] = [await identityOf(alice), await identityOf(bob)];
    const names = { alice: await displayName(aliceIdentity.user_id, aliceIdentity.token), bob: await displayName(bobIdentity.user_id, bobIdentity.token) };

    for (const [page, other] of [[alice, names.bob], [bob, names.alice]] as const) {
      await page.getByRole('button', { name: 'New room' }).click();
      await page.getByRole('dialog', { name: 'New room' }).getByRole('radio', { name: /Direct message/ }).check({ force: true });
      await pickPerson(page, 'Person', other);
    }
    await env.goOffline(aliceContext, bobContext);
    for (const [page, other, text] of [[alice, names.bob, 'hi bob'], [bob, names.alice, 'hi alice']] as const) {
      await page.getByRole('dialog', { name: 'New room' }).getByRole('option', { name: other }).click();
      await page.waitForURL(/\/rooms\/dm-/);
      await newRoomDialogGone(page);
      await sendMessage(page, text);
    }
    const dmId = dmRoomId(aliceIdentity.user_id, bobIdentity.user_id);
    expect(roomIdOf(alice)).toBe(dmId);
    expect(roomIdOf(bob)).toBe(dmId);

    await env.goOnline(aliceContext, bobContext);
    for (const page of [alice, bob]) {
      await expect.poll(async () => (await texts(page)).sort(), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(['hi alice', 'hi bob']);
    }
    const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM room_members WHERE room_id = $1', [dmId]);
    expect(rows[0].n).toBe(2);
  });

  it('[M4][M3] a member removed from a group loses it at once and their page receives nothing said there after', async () => {
    const alice = await env.openChat(await env.newContext());
    await waitUntilLive(alice);
    const bob = await openChatDirect(await env.newContext());
    const bobIdentity = await identityOf(bob);
    const bobName = await displayName(bobIdentity.user_id, bobIdentity.token);

    await alice.getByRole('button', { name: 'New room' }).click();
    await alice.getByRole('dialog', { name: 'New room' }).getByRole('textbox', { name: 'Group name' }).fill('Crew');
    await pickPerson(alice, 'Add people', bobName);
    await alice.getByRole('dialog', { name: 'New room' }).getByRole('option', { name: bobName }).click();
    await alice.getByRole('dialog', { name: 'New room' }).getByRole('button', { name: 'Create group' }).click();
    await alice.waitForURL(/\/rooms\/[0-9a-z]{26}$/);
    await newRoomDialogGone(alice);
    await sendMessage(alice, 'welcome');
    await rooms(bob).getByRole('link', { name: 'Crew' }).click({ timeout: DELIVERY_TIMEOUT_MS });
    await expect.poll(() => texts(bob), { timeout: UI_TIMEOUT_MS }).toContain('welcome');

    await alice.getByRole('button', { name: 'Room details' }).click();
    await alice.getByRole('button', { name: `Remove ${bobName}` }).click();
    await alice.getByRole('dialog', { name: `Remove ${bobName}?` }).getByRole('button', { name: 'Remove', exact: true }).click();
    const crewId = roomIdOf(alice);
    const memberCount = async () => (await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM room_members WHERE room_id = $1 AND user_id = $2', [crewId, bobIdentity.user_id])).rows[0].n;
    await expect.poll(memberCount, { timeout: UI_TIMEOUT_MS }).toBe(0);
    await expect.poll(() => rooms(bob).getByRole('link', { name: 'Crew' }).count(), { timeout: UI_TIMEOUT_MS }).toBe(0);

    // Back to the conversation, details panel closed.
    await alice.goto(alice.url());
    await waitUntilLive(alice);
    await sendMessage(alice, 'after bob left');
    await expect.poll(() => statuses(alice), { timeout: UI_TIMEOUT_MS }).not.toContain('pending');
    // Something said in general after it: once Bob has that, he has had every chance to get the other.
    await rooms(alice).getByRole('link', { name: 'general' }).click();
    await sendMessage(alice, 'sentinel');
    await rooms(bob).getByRole('link', { name: 'general' }).click();
    await expect.poll(() => texts(bob), { timeout: UI_TIMEOUT_MS }).toContain('sentinel');
    const cached = await bob.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const open = indexedDB.open('whisper');
          open.onsuccess = () => {
            const request = open.result.transaction('messages').objectStore('messages').getAll();
            request.onsuccess = () => resolve((request.result as { content: string }[]).map((m) => m.content));
          };
        }),
    );
    expect(cached).toContain('sentinel');
    expect(cached).not.toContain('after bob left');
  });
});
