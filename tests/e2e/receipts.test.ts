import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmRoomId } from '../../server/protocol/index.js';
import { identityOf } from './support/identity.js';
import { createE2eEnv, sendMessage, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * L3 and L4 in two real browsers: the ticks beside Ana's messages in a DM
 * go sent → delivered (Ben's device has them) → read (Ben opens the room),
 * and Ben's unread count, the tab title and the "New messages" divider.
 */

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

const receipts = (page: Page) => page.locator('[role="log"] [data-status]').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-receipt') ?? element.getAttribute('data-status')));
const roomRow = (page: Page, roomId: string) => page.locator(`[data-room-id="${roomId}"]`);
const unreadIn = async (page: Page, roomId: string) => Number(await roomRow(page, roomId).getAttribute('data-unread'));
/** What follows the "New messages" divider, in screen order. */
const afterDivider = (page: Page) =>
  page.locator('[role="log"]').evaluate((log) => {
    const rows = [...log.querySelectorAll('[data-unread-divider], [data-message]')];
    const at = rows.findIndex((row) => row.hasAttribute('data-unread-divider'));
    return at < 0 ? null : rows.slice(at + 1).map((row) => row.querySelector('p')?.textContent ?? '');
  });

describe('read markers and receipts', () => {
  it('[L3][L4] in a DM, ticks go sent → delivered → read as Ben opens it; his unread count, title and divider follow', async () => {
    const ana = await env.openChat(await env.newContext());
    const ben = await env.openChat(await env.newContext());
    await Promise.all([waitUntilLive(ana), waitUntilLive(ben)]);
    const [anaIdentity, benIdentity] = [await identityOf(ana), await identityOf(ben)];
    const dmId = dmRoomId(anaIdentity.user_id, benIdentity.user_id);
    const opened = await fetch(`${env.serverUrl}/v1/dms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${anaIdentity.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: benIdentity.user_id }),
    });
    expect(opened.ok).toBe(true);

    // Ana opens the DM; Ben stays in general, his page visible.
    await roomRow(ana, dmId).getByRole('link').click();
    await ana.waitForURL(new RegExp(`/rooms/${dmId}$`));
    await roomRow(ben, dmId).waitFor({ timeout: UI_TIMEOUT_MS });
    await sendMessage(ana, 'are you there?');
    // Stored on Ben's device (he has not opened the room): two ticks.
    await expect.poll(() => receipts(ana), { timeout: UI_TIMEOUT_MS }).toEqual(['delivered']);
    await expect.poll(() => unreadIn(ben, dmId), { timeout: UI_TIMEOUT_MS }).toBe(1);
    await expect.poll(() => ben.title(), { timeout: UI_TIMEOUT_MS }).toBe('(1) Whisper');

    // Ben opens it: the message is below the divider, read, and Ana sees two coloured ticks.
    await roomRow(ben, dmId).getByRole('link').click();
    await expect.poll(async () => (await shownMessages(ben)).map((m) => m.text), { timeout: UI_TIMEOUT_MS }).toEqual(['are you there?']);
    expect(await afterDivider(ben)).toEqual(['are you there?']);
    await expect.poll(() => receipts(ana), { timeout: UI_TIMEOUT_MS }).toEqual(['read']);
    await expect.poll(() => unreadIn(ben, dmId), { timeout: UI_TIMEOUT_MS }).toBe(0);
    await expect.poll(() => ben.title(), { timeout: UI_TIMEOUT_MS }).toBe('Whisper');

    // Ben goes back to general; two more arrive; on his return the divider is where he left off.
    await roomRow(ben, 'general').getByRole('link').click();
    await ben.waitForURL(/\/rooms\/general$/);
    await sendMessage(ana, 'one more');
    await sendMessage(ana, 'and another');
    await expect.poll(() => unreadIn(ben, dmId), { timeout: UI_TIMEOUT_MS }).toBe(2);
    await expect.poll(() => receipts(ana), { timeout: UI_TIMEOUT_MS }).toEqual(['read', 'delivered', 'delivered']);
    await roomRow(ben, dmId).getByRole('link').click();
    await expect.poll(() => afterDivider(ben), { timeout: UI_TIMEOUT_MS }).toEqual(['one more', 'and another']);
    await expect.poll(() => receipts(ana), { timeout: UI_TIMEOUT_MS }).toEqual(['read', 'read', 'read']);
  });
});
