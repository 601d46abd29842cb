import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, sendMessage, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';
import { BOT_USER_ID } from '../../server/protocol/index.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('typing indicators', () => {
  it('[L2][L5] what one user types shows on the other\'s page by name, and goes once the message is sent', async () => {
    const alice = await env.openChat(await env.newContext());
    const bob = await env.openChat(await env.newContext());
    await waitUntilLive(alice);
    await waitUntilLive(bob);
    const { rows } = await env.db.pool.query<{ display_name: string }>('SELECT display_name FROM users WHERE id <> $1 ORDER BY created_at', [BOT_USER_ID]);
    expect(rows).toHaveLength(2);
    const aliceName = rows[0].display_name;
    const indicator = (page: typeof alice) => page.locator('[data-typing]');

    await alice.getByRole('textbox', { name: 'Message' }).pressSequentially('Hello B', { delay: 50 });
    await expect.poll(() => indicator(bob).textContent(), { timeout: UI_TIMEOUT_MS }).toBe(`${aliceName} is typing…`);
    // Never shown for yourself.
    expect(await indicator(alice).textContent()).toBe('');

    await alice.getByRole('textbox', { name: 'Message' }).pressSequentially('ob');
    await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect.poll(async () => (await shownMessages(bob)).map((m) => m.text), { timeout: UI_TIMEOUT_MS }).toEqual(['Hello Bob']);
    await expect.poll(() => indicator(bob).textContent(), { timeout: UI_TIMEOUT_MS }).toBe('');

    // Bob typing shows on Alice's page; clearing the box takes it away.
    const bobBox = bob.getByRole('textbox', { name: 'Message' });
    await bobBox.pressSequentially('Hi', { delay: 50 });
    await expect.poll(() => indicator(alice).textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/^.+ is typing…$/);
    await bobBox.fill('');
    await expect.poll(() => indicator(alice).textContent(), { timeout: UI_TIMEOUT_MS }).toBe('');
    await sendMessage(bob, 'Hi Alice');
    await expect.poll(async () => (await shownMessages(alice)).map((m) => m.text), { timeout: UI_TIMEOUT_MS }).toEqual(['Hello Bob', 'Hi Alice']);
  });
});
