import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

const TOTAL = 500;
const BATCH = 100;
/** The newest page the client fetches for a room it has never seen (HISTORY_DEFAULT_LIMIT). */
const FIRST_PAGE = 50;
/** Nine more pages of 50 over REST, each a render and a scroll: generous on 2 cores. */
const SCROLL_BACK_TIMEOUT_MS = 60_000;

const label = (n: number) => `history message ${String(n).padStart(3, '0')}`;

let env: E2eEnv;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  env = await createE2eEnv();
  // Three users take turns sending batches of 100 (P10), before any page opens.
  const users = await Promise.all(
    [0, 1, 2].map(async () => {
      const response = await fetch(`${env.serverUrl}/v1/session`, { method: 'POST' });
      return ((await response.json()) as { token: string }).token;
    }),
  );
  for (let start = 1; start <= TOTAL; start += BATCH) {
    const token = users[(start - 1) / BATCH % users.length];
    const response = await fetch(`${env.serverUrl}/v1/chat/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'messages',
        data: Array.from({ length: BATCH }, (_, i) => ({ client_id: `seed-${start + i}`, content: label(start + i) })),
      }),
    });
    expect(response.status).toBe(200);
  }
  const { rows } = await env.db.pool.query<{ n: number; max: number }>('SELECT count(*)::int AS n, max(seq)::int AS max FROM messages');
  expect(rows[0]).toEqual({ n: TOTAL, max: TOTAL });
});
afterAll(async () => {
  await env?.close();
});

/** The messages in the DOM, in screen order. The list is virtualized: these are the rows near the viewport. */
const texts = async (p: Page) => (await shownMessages(p)).map((m) => m.text);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => label(from + i));
const seqOf = (text: string | undefined) => Number(/(\d+)$/.exec(text ?? '')?.[1] ?? Number.NaN);

/**
 * Every message of the list, top to bottom, each once (by its data-key):
 * the list is virtualized, so walk the log from the bottom up, half a
 * viewport at a time, collecting what is rendered at each stop. Stops at the
 * top, or once `max` messages are collected (so it need not reach the top,
 * where the list would ask for older history).
 */
async function collectMessages(p: Page, { max = Number.POSITIVE_INFINITY } = {}): Promise<string[]> {
  return p.locator('[role="log"]').evaluate(async (log, limit) => {
    const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const seen = new Map<string, string>();
    log.scrollTop = log.scrollHeight;
    await frames();
    for (;;) {
      const rendered = [...log.querySelectorAll<HTMLElement>('[data-message]')].reverse();
      for (const element of rendered) {
        const key = element.dataset.key ?? '';
        if (!seen.has(key)) seen.set(key, element.querySelector('p')?.textContent ?? '');
      }
      if (seen.size >= limit || log.scrollTop <= 0) break;
      log.scrollTop = Math.max(0, log.scrollTop - log.clientHeight / 2);
      await frames();
    }
    return [...seen.values()].reverse();
  }, max);
}

/** The rendered messages at the bottom of the list end with `last` and run contiguously up to it. */
async function endsContiguouslyAt(p: Page, last: number): Promise<boolean> {
  const shown = await texts(p);
  return shown.length > 0 && JSON.stringify(shown) === JSON.stringify(range(last - shown.length + 1, last));
}

describe('history', () => {
  it('[C8][P5] opens on the newest page; scrolling the log to the top loads older pages until the first message, each shown once, in order', async () => {
    context = await env.newContext();
    page = await env.openChat(context);
    const olderPages: number[] = [];
    page.on('request', (request) => {
      const beforeSeq = new URL(request.url()).searchParams.get('before_seq');
      if (beforeSeq !== null) olderPages.push(Number(beforeSeq));
    });

    // The newest page, newest last (the list renders the rows near the bottom).
    await expect.poll(() => endsContiguouslyAt(page, TOTAL), { timeout: UI_TIMEOUT_MS }).toBe(true);
    const log = page.locator('[role="log"]');
    await expect.poll(() => log.getByRole('button', { name: 'Load older messages' }).count(), { timeout: UI_TIMEOUT_MS }).toBe(1);

    // Scroll up, again and again: the list loads the page before its first message each time.
    const seenFirsts = new Set<string>();
    await expect
      .poll(
        async () => {
          await log.evaluate((el) => {
            el.scrollTop = 0;
          });
          const shown = await texts(page);
          seenFirsts.add(shown[0]);
          return shown[0];
        },
        { timeout: SCROLL_BACK_TIMEOUT_MS, interval: 250 },
      )
      .toBe(label(1));
    // It went back a page at a time, not in one jump: the client held exactly
    // the newest page at first, then asked for each older page once, in order.
    expect(seenFirsts.size).toBeGreaterThan(2);
    expect(olderPages).toEqual(Array.from({ length: TOTAL / FIRST_PAGE - 1 }, (_, i) => TOTAL - FIRST_PAGE + 1 - i * FIRST_PAGE));

    // All 500, once each, in seq order, and the list knows it reached the start.
    await expect.poll(() => collectMessages(page), { timeout: UI_TIMEOUT_MS }).toEqual(range(1, TOTAL));
    await expect.poll(() => log.getByText('This is the beginning of the conversation.').count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(await log.getByRole('button', { name: 'Load older messages' }).count()).toBe(0);
  });

  it('[C8][W1] with no network, a new tab opens from the service worker and shows the cached messages', async () => {
    // The worker must have installed (precache complete) and control the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: UI_TIMEOUT_MS }).toBe(true);

    // The network goes away: the browser says so, nothing reaches the server, open sockets die.
    await context.setOffline(true);
    env.proxy.setRefusing(true);
    env.proxy.cutAll();
    try {
      const offlinePage = await context.newPage();
      const response = await offlinePage.goto(`${env.origin}/chat`);
      // W1: the shell came from the worker's precache, not the network.
      expect(response?.fromServiceWorker()).toBe(true);
      await offlinePage.getByRole('textbox', { name: 'Message' }).waitFor();
      await offlinePage.locator('[role="status"][data-phase="offline"]').waitFor();

      // C8: the cached history is there without the network, newest last;
      // at least the newest page, contiguous, in order.
      await expect
        .poll(async () => (await collectMessages(offlinePage, { max: FIRST_PAGE })).slice(-FIRST_PAGE), { timeout: UI_TIMEOUT_MS })
        .toEqual(range(TOTAL - FIRST_PAGE + 1, TOTAL));
      const shown = await collectMessages(offlinePage, { max: FIRST_PAGE });
      expect(shown).toEqual(range(TOTAL - shown.length + 1, TOTAL));
      await offlinePage.close();
    } finally {
      env.proxy.setRefusing(false);
      await context.setOffline(false);
    }
  });

  it('[C8][P5] at the top of the cached history with no network, the list does not hammer the server; back online it loads older pages again', async () => {
    // A fresh device: only the newest page is cached.
    const freshContext = await env.newContext();
    const fresh = await env.openChat(freshContext);
    await expect.poll(() => endsContiguouslyAt(fresh, TOTAL), { timeout: UI_TIMEOUT_MS }).toBe(true);
    let olderRequests = 0;
    fresh.on('request', (request) => {
      if (request.url().includes('before_seq=')) olderRequests++;
    });
    const log = fresh.locator('[role="log"]');

    await freshContext.setOffline(true);
    env.proxy.setRefusing(true);
    env.proxy.cutAll();
    let cached: string[] = [];
    try {
      await fresh.locator('[role="status"][data-phase="offline"]').waitFor();
      // What the device holds now: the newest page, and on a slow machine
      // maybe one older page fetched while the list first settled.
      cached = await collectMessages(fresh);
      expect(cached).toEqual(range(TOTAL - cached.length + 1, TOTAL));
      expect(cached.length).toBeGreaterThanOrEqual(FIRST_PAGE);
      // The reader sits at the top for a while: the first attempt fails, and
      // the list must not retry in a tight loop (a storm of failing requests,
      // or of 503s against a struggling server).
      await log.evaluate((el) => {
        el.scrollTop = 0;
      });
      await expect.poll(() => olderRequests, { timeout: UI_TIMEOUT_MS }).toBeGreaterThanOrEqual(1);
      await fresh.waitForTimeout(3_000);
      // Backoff (500 ms × 2^n, jittered) allows a handful; before the fix it was ~40.
      expect(olderRequests).toBeLessThanOrEqual(6);
      // What the cache has is still shown, and nothing more came.
      expect(await collectMessages(fresh)).toEqual(cached);
    } finally {
      env.proxy.setRefusing(false);
      await freshContext.setOffline(false);
    }

    // Back online: the reader still at the top gets the older pages.
    await waitUntilLive(fresh);
    await expect
      .poll(
        async () => {
          await log.evaluate((el) => {
            el.scrollTop = 0;
          });
          // The first message at the top: older pages have arrived once it is a page further back.
          return seqOf((await texts(fresh))[0]);
        },
        { timeout: SCROLL_BACK_TIMEOUT_MS, interval: 250 },
      )
      .toBeLessThan(seqOf(cached[0]));
    const shown = await collectMessages(fresh);
    expect(shown.length).toBeGreaterThanOrEqual(2 * FIRST_PAGE);
    expect(shown).toEqual(range(TOTAL - shown.length + 1, TOTAL));
    await freshContext.close();
  });
});
