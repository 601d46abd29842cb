import type { BrowserContext, Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * A whole offline session of one user: messages typed with no network,
 * a reload and a fresh tab with no network, then the network back.
 */

/** After the network returns: connect (first retry is immediate on `online`), catch up, flush, ack. */
const DELIVERY_TIMEOUT_MS = 45_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

/** Every WebSocket the pages of a context open, from now on (reloads and new pages included). */
function trackSockets(context: BrowserContext): { all: WebSocket[]; open: () => WebSocket[] } {
  const all: WebSocket[] = [];
  const watch = (page: Page) => page.on('websocket', (socket) => all.push(socket));
  context.pages().forEach(watch);
  context.on('page', watch);
  return { all, open: () => all.filter((socket) => !socket.isClosed()) };
}

const statuses = async (page: Page) => (await ownMessages(page)).map((m) => m.status);
const texts = async (page: Page) => (await shownMessages(page)).map((m) => m.text);

describe('offline', () => {
  it('[C1][C3][C4][C8][W1] messages typed offline survive a reload and a new tab, then are sent once, in order', async () => {
    const typed = ['one: written on the train', 'two: still in the tunnel', 'three: hello again'];

    const aliceContext = await env.newContext();
    const sockets = trackSockets(aliceContext);
    const alice = await env.openChat(aliceContext);
    await waitUntilLive(alice);
    await waitForServiceWorker(alice);
    expect(sockets.open()).toHaveLength(1);

    // Bob is somewhere else: his page talks to the server directly, so
    // Alice's dead network (the proxy) does not touch him.
    const bobContext = await env.newContext();
    const bob = await bobContext.newPage();
    await bob.goto(`${env.serverUrl}/chat`);
    await waitUntilLive(bob);

    // C3: the browser's `offline` event alone makes the client drop its
    // socket (Chromium keeps it open; a real dead network would not).
    await aliceContext.setOffline(true);
    await expect.poll(() => sockets.open().length, { timeout: UI_TIMEOUT_MS }).toBe(0);
    await alice.locator('[role="status"][data-phase="offline"]').waitFor();
    await env.goOffline(aliceContext);
    const socketsBeforeOffline = sockets.all.length;

    for (const text of typed) await sendMessage(alice, text);
    // C1: shown at once, as own messages, pending (nothing can have been written to a socket).
    await expect.poll(() => ownMessages(alice), { timeout: UI_TIMEOUT_MS }).toEqual(typed.map((text) => ({ text, status: 'pending' })));

    // W1 + C8: a reload with no network opens the app from the service worker, outbox included.
    await alice.reload();
    await alice.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await alice.evaluate(() => navigator.onLine)).toBe(false);
    await expect.poll(() => ownMessages(alice), { timeout: UI_TIMEOUT_MS }).toEqual(typed.map((text) => ({ text, status: 'pending' })));

    // The tab is closed; a new one is opened, still with no network.
    await alice.close();
    const aliceAgain = await env.openChat(aliceContext);
    await expect.poll(() => ownMessages(aliceAgain), { timeout: UI_TIMEOUT_MS }).toEqual(typed.map((text) => ({ text, status: 'pending' })));

    // Nothing reached the server or Bob while offline.
    const before = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(before.rows[0].n).toBe(0);
    expect(await texts(bob)).toEqual([]);

    // C3: offline means offline: no page tried to connect (not even the reloaded or new one).
    expect(sockets.all.length).toBe(socketsBeforeOffline);

    await env.goOnline(aliceContext);

    // C4: every message is sent, in the order typed (screen order and seq order).
    await expect.poll(() => statuses(aliceAgain), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(['sent', 'sent', 'sent']);
    expect((await ownMessages(aliceAgain)).map((m) => m.text)).toEqual(typed);
    await expect.poll(() => texts(bob), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(typed);

    const { rows } = await env.db.pool.query<{ content: string; seq: number }>(
      'SELECT content, seq::int AS seq FROM messages ORDER BY seq',
    );
    expect(rows.map((row) => row.content)).toEqual(typed);
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3]);

    // Settled: nothing is shown twice later (a late resend or broadcast copy).
    await aliceAgain.waitForTimeout(1_000);
    expect(await shownMessages(aliceAgain)).toEqual(typed.map((text) => ({ text, status: 'sent' })));
    expect(await texts(bob)).toEqual(typed);
    const after = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(after.rows[0].n).toBe(3);
  });

  it('[C3][P9][C4] a dead network that closes nothing and fires no offline event is found by the heartbeat; the messages sent into it arrive once', async () => {
    const texts2 = ['sent into the void', 'and another one'];
    const aliceContext = await env.newContext();
    const alice = await env.openChat(aliceContext);
    await waitUntilLive(alice);
    const bobContext = await env.newContext();
    const bob = await bobContext.newPage();
    await bob.goto(`${env.serverUrl}/chat`);
    await waitUntilLive(bob);
    const onlyThese = (shown: string[]) => shown.filter((text) => texts2.includes(text));

    // Frames are held both ways, nothing is closed, the browser thinks it is online.
    env.proxy.setSilent(true);
    try {
      for (const text of texts2) await sendMessage(alice, text);
      // Written to the socket, never acked.
      await expect.poll(() => statuses(alice), { timeout: UI_TIMEOUT_MS }).toEqual(['sending', 'sending']);
      // C3/P9: silence → ping → more silence → the socket counts as dead (15 s + 10 s).
      await alice.locator('[role="status"][data-phase]:not([data-phase="online"])').waitFor({ timeout: 40_000 });
      expect(await alice.evaluate(() => navigator.onLine)).toBe(true);
      expect(onlyThese(await texts(bob))).toEqual([]);
    } finally {
      env.proxy.setSilent(false);
    }

    // The next connection that says hello resends what was lost with the dead socket (C4).
    await expect.poll(() => ownMessages(alice), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(texts2.map((text) => ({ text, status: 'sent' })));
    await expect.poll(async () => onlyThese(await texts(bob)), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(texts2);
    const { rows } = await env.db.pool.query<{ content: string }>('SELECT content FROM messages WHERE content = ANY($1) ORDER BY seq', [texts2]);
    expect(rows.map((row) => row.content)).toEqual(texts2);
  }, 150_000);
});
