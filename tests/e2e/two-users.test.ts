import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, type E2eEnv } from './support/e2e-env.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('two users', () => {
  it('[C1][C5][C9][P4] chat both ways: each message appears once on both sides, pending then sent', async () => {
    const alice = await env.openChat(await env.newContext());
    const bob = await env.openChat(await env.newContext());

    await sendMessage(alice, 'Hi Bob, it is Alice');
    // Pending (or sending) first, then sent.
    await expect.poll(async () => (await ownMessages(alice)).map((m) => m.status), { timeout: UI_TIMEOUT_MS }).toEqual(['sent']);
    await expect.poll(async () => (await shownMessages(bob)).map((m) => m.text), { timeout: UI_TIMEOUT_MS }).toEqual(['Hi Bob, it is Alice']);

    await sendMessage(bob, 'Hello Alice!');
    await sendMessage(bob, 'How are you?');
    await expect.poll(async () => (await ownMessages(bob)).map((m) => m.status), { timeout: UI_TIMEOUT_MS }).toEqual(['sent', 'sent']);
    await expect
      .poll(async () => (await shownMessages(alice)).map((m) => m.text), { timeout: UI_TIMEOUT_MS })
      .toEqual(['Hi Bob, it is Alice', 'Hello Alice!', 'How are you?']);
    expect((await shownMessages(bob)).map((m) => m.text)).toEqual(['Hi Bob, it is Alice', 'Hello Alice!', 'How are you?']);

    const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(rows[0].n).toBe(3);
  });

  it('[C9] a new own message shows as pending before the server has it', async () => {
    const carol = await env.openChat(await env.newContext());
    env.proxy.setSilent(true);
    try {
      await sendMessage(carol, 'waiting for the network');
      await expect.poll(async () => (await ownMessages(carol)).map((m) => m.status), { timeout: UI_TIMEOUT_MS }).toEqual([expect.stringMatching(/^(pending|sending)$/)]);
    } finally {
      env.proxy.setSilent(false);
    }
  });
});
