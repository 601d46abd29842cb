import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DMS_PATH, dmRoomId } from '../../server/protocol/index.js';
import { PRESENCE_OFFLINE_GRACE_MS } from '../../server/live/presence.js';
import { identityOf } from './support/identity.js';
import { createE2eEnv, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/** Presence (L1) in two real browsers: a DM partner online, then last seen once their page closes. */

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

const rooms = (page: Page) => page.getByRole('navigation', { name: 'Rooms' });
/** What the room's bar says under its name. */
const subtitle = (page: Page) => page.locator('header').filter({ has: page.locator('#room-title') }).locator('p').textContent();

describe('presence', () => {
  it('[L1][M6] Ana sees Ben online in their DM (its bar and the list\'s dot), and "last seen" once Ben closes his page', async () => {
    const ana = await env.openChat(await env.newContext());
    const benContext = await env.newContext();
    const ben = await env.openChat(benContext);
    await Promise.all([waitUntilLive(ana), waitUntilLive(ben)]);
    const [anaId, benId] = [await identityOf(ana), await identityOf(ben)];
    const response = await fetch(`${env.serverUrl}${DMS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${anaId.token}` },
      body: JSON.stringify({ user_id: benId.user_id }),
    });
    expect(response.ok).toBe(true);
    const dmId = dmRoomId(anaId.user_id, benId.user_id);

    const dmRow = rooms(ana).locator(`[data-room-id="${dmId}"]`);
    await dmRow.getByRole('link').click();
    await ana.waitForURL(new RegExp(`/rooms/${dmId}$`));
    await expect.poll(() => subtitle(ana), { timeout: UI_TIMEOUT_MS }).toBe('Direct message · online');
    await expect.poll(() => dmRow.locator('[data-presence="online"]').count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(await dmRow.locator('[data-presence="online"]').textContent()).toBe('online');

    await benContext.close();
    // Offline within the grace (plus delivery) of the socket's close.
    await expect.poll(() => subtitle(ana), { timeout: PRESENCE_OFFLINE_GRACE_MS + UI_TIMEOUT_MS }).toMatch(/^Direct message · last seen \d/);
    expect(await dmRow.locator('[data-presence]').count()).toBe(0);
  });
});
