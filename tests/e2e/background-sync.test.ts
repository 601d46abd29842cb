/**
 * W3 in the browser: messages written with no network, the page closed with
 * them unsent, then the network back. A Background Sync event (fired
 * through the DevTools protocol's ServiceWorker.dispatchSyncEvent, as the
 * browser fires it when it is online) makes the service worker send them
 * through P10, and a page opened afterwards finds them sent, once.
 */
import type { BrowserContext, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES_PATH } from '../../server/protocol/index.js';
import { OUTBOX_SYNC_TAG } from '../../client/src/shared/sync/outbox-names.js';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitForServiceWorker, waitUntilLive, type E2eEnv } from './support/e2e-env.js';
import { registrationIdOf } from './support/service-worker.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

/** The rows of the device's outbox, read inside the service worker (no page of the app is open). */
function outboxCount(worker: Worker): Promise<number> {
  return worker.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('whisper');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction('outbox').objectStore('outbox').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

/** P2 frames any page of the context writes to a socket, from now on. */
function recordSocketSends(context: BrowserContext): string[] {
  const sends: string[] = [];
  context.on('page', (page) =>
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes('"type":"messages"')) sends.push(payload);
      }),
    ),
  );
  return sends;
}

const storedContents = async () => (await env.db.pool.query<{ content: string }>('SELECT content FROM messages ORDER BY seq')).rows.map((row) => row.content);

describe('W3 background sync', () => {
  it('[W3][P10] a sync event after the page closed sends the outbox through REST; a reopened page shows the messages sent, once', async () => {
    const typed = ['written in the lift', 'and sent from the pocket'];
    const context = await env.newContext();
    const page = await env.openChat(context);
    await waitUntilLive(page);
    await waitForServiceWorker(page);
    // A tab of the same profile that runs no app: its DevTools session still reaches the worker once the app's page is gone.
    const devtools = await context.newCDPSession(await context.newPage());
    const registrationId = await registrationIdOf(devtools, env.origin);
    const worker = context.serviceWorkers()[0];
    expect(worker).toBeDefined();

    // REST requests that reach the server through the proxy (the page's, and the worker's: same origin).
    const restRequests: string[] = [];
    env.proxy.holdHttp = (request) => {
      restRequests.push(`${request.method} ${request.url}`);
      return false;
    };

    // The network goes (the proxy is the only way to the server): the socket dies, nothing new connects.
    env.proxy.cutAll();
    env.proxy.setRefusing(true);
    await page.locator('[role="status"][data-phase]:not([data-phase="online"])').waitFor();
    for (const text of typed) await sendMessage(page, text);
    await expect.poll(() => ownMessages(page), { timeout: UI_TIMEOUT_MS }).toEqual(typed.map((text) => ({ text, status: 'pending' })));

    // The page goes away with its outbox unsent: it registers the sync. (The
    // browser, online as far as it knows, may fire it at once; with the
    // network dead that flush fails and waits to be retried.)
    await page.close();
    await expect.poll(() => worker.evaluate(async (tag) => (await (self as unknown as { registration: { sync: { getTags(): Promise<string[]> } } }).registration.sync.getTags()).includes(tag), OUTBOX_SYNC_TAG), { timeout: UI_TIMEOUT_MS }).toBe(true);
    expect(await storedContents()).toEqual([]);
    expect(await outboxCount(worker)).toBe(2);

    // The network is back; the browser fires the sync (no page of the app is open).
    env.proxy.setRefusing(false);
    const socketSends = recordSocketSends(context);
    await devtools.send('ServiceWorker.dispatchSyncEvent', { origin: env.origin, registrationId, tag: OUTBOX_SYNC_TAG, lastChance: false });
    await expect.poll(storedContents, { timeout: UI_TIMEOUT_MS }).toEqual(typed);
    expect(restRequests.filter((request) => request === `POST ${MESSAGES_PATH}`)).toHaveLength(1);
    // The acks are written to the device's database as a page would write them: nothing is left to send.
    await expect.poll(() => outboxCount(worker), { timeout: UI_TIMEOUT_MS }).toBe(0);

    // A new page shows them sent, once each, and sends nothing again.
    const again = await env.openChat(context);
    await expect.poll(() => ownMessages(again), { timeout: UI_TIMEOUT_MS }).toEqual(typed.map((text) => ({ text, status: 'sent' })));
    await waitUntilLive(again);
    expect(await shownMessages(again)).toEqual(typed.map((text) => ({ text, status: 'sent' })));
    expect(await storedContents()).toEqual(typed);
    expect(socketSends).toEqual([]);
  });
});

