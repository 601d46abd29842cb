import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * X1–X4 in a real browser against the real server: every action shows at
 * once, offline too, survives a reload with no network, and lands exactly
 * once when the network returns, the same on the other user's page.
 */

const DELIVERY_TIMEOUT_MS = 45_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

const bubble = (page: Page, text: string): Locator => page.locator('[role="log"] [data-message]').filter({ has: page.locator('p', { hasText: text }) });

/** Opens the message's "Message actions" menu (hovering it first, as a mouse does). */
async function openActions(page: Page, message: Locator): Promise<void> {
  // The last menu closes with a short transition; until it is gone it covers what is under it.
  await page.getByRole('menu').waitFor({ state: 'detached' });
  await message.hover();
  await message.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu').waitFor();
}

async function act(page: Page, text: string, item: string): Promise<void> {
  const message = bubble(page, text);
  await openActions(page, message);
  await page.getByRole('menuitem', { name: item }).click();
  await page.getByRole('menu').waitFor({ state: 'detached' });
}

const chips = (message: Locator) => message.locator('button[aria-pressed]').evaluateAll((buttons) => buttons.map((b) => b.textContent?.replace(/\s+/g, '') ?? ''));

describe('message actions', () => {
  it('[X1][X2][X3][X4][E4] offline: edit, react, delete and reply show at once, survive a reload, then land once and match on the other page', async () => {
    const aliceContext = await env.newContext();
    const alice = await env.openChat(aliceContext);
    await waitUntilLive(alice);
    await waitForServiceWorker(alice);
    const bobContext = await env.newContext();
    const bob = await bobContext.newPage();
    await bob.goto(`${env.serverUrl}/chat`);
    await waitUntilLive(bob);

    await sendMessage(bob, 'bob: anyone here?');
    await sendMessage(alice, 'alice: an older message');
    await expect.poll(() => ownMessages(alice), { timeout: DELIVERY_TIMEOUT_MS }).toEqual([{ text: 'alice: an older message', status: 'sent' }]);
    await bubble(alice, 'bob: anyone here?').waitFor();

    await env.goOffline(aliceContext);
    await alice.locator('[role="status"][data-phase="offline"]').waitFor();

    // A message written offline, then edited in place (Esc would cancel, Enter saves).
    await sendMessage(alice, 'alice: helo wrold');
    await act(alice, 'alice: helo wrold', 'Edit');
    const editor = alice.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('alice: hello world');
    await editor.press('Enter');
    // A reaction to Bob's message, from the quick reactions.
    await openActions(alice, bubble(alice, 'bob: anyone here?'));
    await alice.getByRole('menuitem', { name: 'React 👍' }).click();
    await alice.getByRole('menu').waitFor({ state: 'detached' });
    // The older own message (already on the server) deleted, after the question.
    await act(alice, 'alice: an older message', 'Delete');
    await alice.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete' }).click();
    // A reply to Bob.
    await act(alice, 'bob: anyone here?', 'Reply');
    await alice.getByText('Replying to').waitFor();
    await sendMessage(alice, 'alice: yes, me');

    const offlineState = async (page: Page) => ({
      texts: (await shownMessages(page)).map((m) => m.text),
      chips: await chips(bubble(page, 'bob: anyone here?')),
      quote: await bubble(page, 'alice: yes, me').getByRole('button', { name: /^Reply to/ }).getAttribute('aria-label'),
    });
    const expected = {
      texts: ['bob: anyone here?', 'Deleting…', 'alice: hello world', 'alice: yes, me'],
      chips: ['👍1'],
      quote: expect.stringContaining('bob: anyone here?'),
    };
    // X4: all of it shown at once, with no network.
    await expect.poll(() => offlineState(alice), { timeout: UI_TIMEOUT_MS }).toEqual(expected);

    // W1 + X4: a reload with no network shows the same.
    await alice.reload();
    await alice.getByRole('textbox', { name: 'Message' }).waitFor();
    await expect.poll(() => offlineState(alice), { timeout: UI_TIMEOUT_MS }).toEqual(expected);
    const before = await env.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM room_events WHERE kind IN ('edit', 'delete', 'react')");
    expect(before.rows[0].n).toBe(0);

    await env.goOnline(aliceContext);
    const settled = ['bob: anyone here?', 'Message deleted', 'alice: hello world', 'alice: yes, me'];
    await expect.poll(async () => (await shownMessages(alice)).map((m) => m.text), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(settled);
    await expect.poll(async () => (await shownMessages(bob)).map((m) => m.text), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(settled);
    await expect.poll(() => chips(bubble(bob, 'bob: anyone here?')), { timeout: UI_TIMEOUT_MS }).toEqual(['👍1']);
    await expect
      .poll(() => bubble(bob, 'alice: yes, me').getByRole('button', { name: /^Reply to/ }).getAttribute('aria-label'), { timeout: UI_TIMEOUT_MS })
      .toContain('bob: anyone here?');
    await expect.poll(() => ownMessages(alice), { timeout: DELIVERY_TIMEOUT_MS }).toEqual([
      { text: 'Message deleted', status: 'sent' },
      { text: 'alice: hello world', status: 'sent' },
      { text: 'alice: yes, me', status: 'sent' },
    ]);

    // Exactly once on the server: the edit of a message that never left the
    // device was no op at all; one delete, one reaction, one reply.
    const { rows: messages } = await env.db.pool.query<{ content: string; deleted: boolean; reply_to: string | null }>(
      'SELECT content, deleted_at IS NOT NULL AS deleted, reply_to FROM messages ORDER BY seq',
    );
    const bobsId = (await env.db.pool.query<{ id: string }>("SELECT id FROM messages WHERE content = 'bob: anyone here?'")).rows[0].id;
    expect(messages).toEqual([
      { content: 'bob: anyone here?', deleted: false, reply_to: null },
      { content: '', deleted: true, reply_to: null },
      { content: 'alice: hello world', deleted: false, reply_to: null },
      { content: 'alice: yes, me', deleted: false, reply_to: bobsId },
    ]);
    const { rows: entries } = await env.db.pool.query<{ kind: string; n: number }>(
      "SELECT kind, count(*)::int AS n FROM room_events WHERE kind IN ('edit', 'delete', 'react', 'unreact') GROUP BY kind ORDER BY kind",
    );
    expect(entries).toEqual([
      { kind: 'delete', n: 1 },
      { kind: 'react', n: 1 },
    ]);

    // Bob takes his own reaction chip: a tap adds his, a second takes it back.
    const bobsChip = bubble(bob, 'bob: anyone here?').locator('button[aria-pressed]');
    await bobsChip.click();
    await expect.poll(() => chips(bubble(alice, 'bob: anyone here?')), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(['👍2']);
    await bobsChip.click();
    await expect.poll(() => chips(bubble(alice, 'bob: anyone here?')), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(['👍1']);
  }, 120_000);

  it('[X3][C9][R3] the full emoji picker, Up arrow to edit with Esc to cancel, links as links, and a quote that jumps to its message', async () => {
    const context = await env.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await env.openChat(context);
    await waitUntilLive(page);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    await sendMessage(page, 'read https://example.com/guide please');
    const link = bubble(page, 'read https://example.com/guide').getByRole('link', { name: 'https://example.com/guide' });
    await expect.poll(() => link.getAttribute('rel'), { timeout: UI_TIMEOUT_MS }).toBe('noopener noreferrer nofollow');
    expect(await link.getAttribute('target')).toBe('_blank');
    await sendMessage(page, 'javascript:alert(1) stays text');
    expect(await bubble(page, 'javascript:alert(1)').getByRole('link').count()).toBe(0);

    // The full picker (a chunk of its own), searched, and a pick becomes a reaction chip.
    await act(page, 'read https://example.com/guide', 'Add reaction');
    const picker = page.getByRole('dialog', { name: 'Add reaction' });
    await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('rocket');
    await picker.getByRole('gridcell', { name: 'Rocket' }).click();
    await expect.poll(() => chips(bubble(page, 'read https://example.com/guide')), { timeout: UI_TIMEOUT_MS }).toEqual(['🚀1']);

    // Copy puts the text on the clipboard.
    await act(page, 'javascript:alert(1) stays text', 'Copy');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: UI_TIMEOUT_MS }).toBe('javascript:alert(1) stays text');

    // Up arrow in the empty composer edits the last own message; Esc leaves it as it was.
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.focus();
    await composer.press('ArrowUp');
    const editor = page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('changed my mind');
    await editor.press('Escape');
    await expect.poll(async () => (await shownMessages(page)).map((m) => m.text).at(-1)).toBe('javascript:alert(1) stays text');
    await composer.press('ArrowUp');
    await editor.fill('javascript:alert(1) stays text, edited');
    await editor.press('Enter');
    await expect.poll(() => bubble(page, 'stays text, edited').getByText('edited', { exact: true }).count(), { timeout: UI_TIMEOUT_MS }).toBe(1);

    // Many messages later, a reply's quote brings the first back into view.
    for (let i = 0; i < 40; i++) await sendMessage(page, `filler ${i}`);
    await expect.poll(async () => (await ownMessages(page)).filter((m) => m.status !== 'sent').length, { timeout: DELIVERY_TIMEOUT_MS }).toBe(0);
    await page.locator('[role="log"]').evaluate((log) => log.scrollTo({ top: 0 }));
    await act(page, 'read https://example.com/guide', 'Reply');
    await sendMessage(page, 'replying to the guide');
    const original = bubble(page, 'read https://example.com/guide');
    // Out of view (the list only draws what is near the viewport), until the quote is tapped.
    await expect.poll(() => original.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    await bubble(page, 'replying to the guide').getByRole('button', { name: /^Reply to/ }).click();
    await expect.poll(() => original.getAttribute('data-focused'), { timeout: UI_TIMEOUT_MS }).toBe('');
    expect(await original.isVisible()).toBe(true);
    // No CSP violation or other error from any of it.
    expect(problems).toEqual([]);
  }, 120_000);

  it('[C9] on a phone a long press opens the message\'s menu', async () => {
    const context = await env.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await env.openChat(context);
    await waitUntilLive(page);
    await sendMessage(page, 'hold me');
    const text = bubble(page, 'hold me').locator('p');
    await text.waitFor();
    const box = (await text.boundingBox())!;
    const at = { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
    await text.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true, ...at });
    await page.getByRole('menu').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.getByRole('menuitem', { name: 'Reply' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    // A short tap is not a long press.
    await text.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true, ...at });
    await text.dispatchEvent('pointerup', { pointerType: 'touch', isPrimary: true, ...at });
    await page.waitForTimeout(800);
    expect(await page.getByRole('menu').count()).toBe(0);
  }, 60_000);
});
