import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * One user, two tabs: two pages in one browser context share the IndexedDB
 * outbox and the identity. Each tab has its own socket, but only the tab
 * holding the outbox Web Lock sends (C7); the other shows the same rows.
 */

const DELIVERY_TIMEOUT_MS = 45_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterEach(() => {
  env.proxy.setRefusing(false);
});
afterAll(async () => {
  await env?.close();
});

interface Tab {
  page: Page;
  /** client_ids this tab wrote to its sockets in P2 frames, in order. */
  sentClientIds: string[];
}

/** Opens /chat and records every P2 `messages` frame the page's sockets send. */
async function openTab(context: BrowserContext): Promise<Tab> {
  const page = await context.newPage();
  const sentClientIds: string[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const frame = JSON.parse(payload) as { type?: string; data?: { client_id?: string }[] };
      if (frame.type === 'messages') for (const item of frame.data ?? []) sentClientIds.push(item.client_id ?? '');
    });
  });
  await page.goto(`${env.origin}/chat`);
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
  return { page, sentClientIds };
}

/** Both tabs' dead network: offline event, sockets cut, no new connections. */
async function goOffline(context: BrowserContext, pages: Page[]): Promise<void> {
  await context.setOffline(true);
  env.proxy.cutAll();
  env.proxy.setRefusing(true);
  for (const page of pages) await page.locator('[role="status"][data-phase="offline"]').waitFor();
}

async function goOnline(context: BrowserContext): Promise<void> {
  env.proxy.setRefusing(false);
  await context.setOffline(false);
}

/** Sends from `tab` and waits until `count` own messages show there, so enqueue order is typing order. */
async function typeIn(page: Page, text: string, count: number): Promise<void> {
  await sendMessage(page, text);
  await expect.poll(async () => (await ownMessages(page)).length, { timeout: UI_TIMEOUT_MS }).toBe(count);
}

/** The stored copies of these texts, in seq order (duplicates would show twice). */
async function storedContents(texts: string[]): Promise<string[]> {
  const { rows } = await env.db.pool.query<{ content: string }>('SELECT content FROM messages WHERE content = ANY($1) ORDER BY seq', [texts]);
  return rows.map((row) => row.content);
}

async function outboxLock(page: Page): Promise<{ held: number; pending: number }> {
  return page.evaluate(async () => {
    const state = await navigator.locks.query();
    const mine = (list: LockInfo[] | undefined) => (list ?? []).filter((lock) => lock.name === 'whisper-outbox').length;
    return { held: mine(state.held), pending: mine(state.pending) };
  });
}

describe('two tabs of one user', () => {
  it('[C7][C1][C4][C5] both tabs queue offline, both show every queued row; on reconnect one tab flushes and each message is stored once', async () => {
    const context = await env.newContext();
    const first = await openTab(context);
    await waitUntilLive(first.page);
    const second = await openTab(context);
    await waitUntilLive(second.page);

    // C7: one outbox lock, held by one tab, the other waiting for it.
    expect(await outboxLock(first.page)).toEqual({ held: 1, pending: 1 });

    await goOffline(context, [first.page, second.page]);

    const typed = ['tab 1: first', 'tab 2: second', 'tab 1: third', 'tab 2: fourth'];
    await typeIn(first.page, typed[0], 1);
    await typeIn(second.page, typed[1], 2);
    await typeIn(first.page, typed[2], 3);
    await typeIn(second.page, typed[3], 4);

    // C7: live queries across tabs: each tab shows the other's rows too, all pending.
    const allPending = typed.map((text) => ({ text, status: 'pending' }));
    for (const { page } of [first, second]) {
      await expect.poll(() => ownMessages(page), { timeout: UI_TIMEOUT_MS }).toEqual(allPending);
    }
    expect(first.sentClientIds).toEqual([]);
    expect(second.sentClientIds).toEqual([]);

    await goOnline(context);

    const allSent = typed.map((text) => ({ text, status: 'sent' }));
    for (const { page } of [first, second]) {
      await expect.poll(() => shownMessages(page), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(allSent);
    }
    // C4: stored once each, in enqueue order.
    expect(await storedContents(typed)).toEqual(typed);

    // C7: exactly one tab wrote the outbox to the network, each message once.
    const senders = [first, second].filter((tab) => tab.sentClientIds.length > 0);
    expect(senders).toHaveLength(1);
    expect(senders[0].sentClientIds).toHaveLength(typed.length);
    expect(new Set(senders[0].sentClientIds).size).toBe(typed.length);

    // Settled: no late duplicate on either tab or in the database.
    await first.page.waitForTimeout(1_000);
    for (const { page } of [first, second]) expect(await shownMessages(page)).toEqual(allSent);
    expect(await storedContents(typed)).toEqual(typed);

    // C7 while live: the tab without the lock only enqueues; the leader sees
    // the row through its live query and sends it.
    const [leader] = senders;
    const other = leader === first ? second : first;
    const later = 'typed in the other tab, online';
    await sendMessage(other.page, later);
    const everything = [...allSent, { text: later, status: 'sent' }];
    for (const { page } of [first, second]) {
      await expect.poll(() => shownMessages(page), { timeout: DELIVERY_TIMEOUT_MS }).toEqual(everything);
    }
    expect(await storedContents([...typed, later])).toEqual([...typed, later]);
    expect(other.sentClientIds).toEqual([]);
    expect(leader.sentClientIds).toHaveLength(typed.length + 1);

    await first.page.close();
    await second.page.close();
  });

  it('[C7][C1] the leader tab is closed while offline: the other tab takes the lock and sends what both queued', async () => {
    const context = await env.newContext();
    const leader = await openTab(context);
    await waitUntilLive(leader.page);
    const follower = await openTab(context);
    await waitUntilLive(follower.page);
    expect(await outboxLock(follower.page)).toEqual({ held: 1, pending: 1 });

    // The first tab got the lock first: a message typed in the second one is sent by the first.
    const warmUp = 'typed in the second tab while both are online';
    await sendMessage(follower.page, warmUp);
    await expect.poll(() => ownMessages(follower.page), { timeout: UI_TIMEOUT_MS }).toEqual([{ text: warmUp, status: 'sent' }]);
    expect(leader.sentClientIds).toHaveLength(1);
    expect(follower.sentClientIds).toEqual([]);

    await goOffline(context, [leader.page, follower.page]);
    const typed = ['from the tab that closes', 'from the tab that stays'];
    await typeIn(leader.page, typed[0], 2);
    await typeIn(follower.page, typed[1], 3);

    await leader.page.close();
    // The lock passes to the remaining tab.
    await expect.poll(() => outboxLock(follower.page), { timeout: UI_TIMEOUT_MS }).toEqual({ held: 1, pending: 0 });
    expect(await ownMessages(follower.page)).toEqual([
      { text: warmUp, status: 'sent' },
      ...typed.map((text) => ({ text, status: 'pending' })),
    ]);

    await goOnline(context);

    // Own messages only: this new user also sees the first test's history.
    await expect
      .poll(() => ownMessages(follower.page), { timeout: DELIVERY_TIMEOUT_MS })
      .toEqual([warmUp, ...typed].map((text) => ({ text, status: 'sent' })));
    expect(await storedContents([warmUp, ...typed])).toEqual([warmUp, ...typed]);
    expect(leader.sentClientIds).toHaveLength(1);
    expect(follower.sentClientIds).toHaveLength(typed.length);
  });
});
