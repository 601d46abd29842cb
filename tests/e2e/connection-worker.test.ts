import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * The connection machine (socket, catch-up, the writes of what the server
 * sends, the outbox flush) runs in a module worker of its own, off the
 * page's main thread; a page without workers runs it itself. The page and
 * the worker share IndexedDB: the page's enqueue reaches the worker, and the
 * worker's ack reaches the page's live queries, only through Dexie's
 * cross-context change events.
 */

/** The built worker: client/src/shared/sync/connection.worker.ts. */
const CONNECTION_WORKER = /\/assets\/connection\.worker-[\w-]+\.js$/;
/** The chunk that runs the machine in the page (with XState), loaded only when there is no worker. */
const IN_PAGE_CHUNK = /\/assets\/connection-runtime-[\w-]+\.js$/;
/** The outbox Web Lock (C7), requested by the machine's flush-lock actor. */
const OUTBOX_LOCK = 'whisper-outbox';
/** The build the server serves (made by the e2e global setup). */
const CLIENT_DIR = fileURLToPath(new URL('../../client/dist/', import.meta.url));
/** Every XState actor starts with this event: a bundle that has it has XState. */
const XSTATE_SIGNATURE = 'xstate.init';

declare global {
  interface Window {
    /** WebSockets constructed by the page's own scripts (countPageSockets). */
    __pageSockets?: number;
  }
}

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

/** Counts the WebSockets the page's scripts construct (a worker's are not seen here). Installed before any script of the page runs. */
async function countPageSockets(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.__pageSockets = 0;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        window.__pageSockets = (window.__pageSockets ?? 0) + 1;
      }
    };
  });
}

/**
 * The Web Locks client id of the realm `target` evaluates in: it takes a
 * lock of its own and reads the holder's id back (there is no direct API),
 * next to the id of whoever holds the outbox lock.
 */
async function lockClients(target: Page | Worker): Promise<{ self: string; outbox: string | undefined }> {
  const read = async (outboxLock: string) => {
    const probe = `probe-${Math.random()}`;
    return navigator.locks.request(probe, async () => {
      const { held = [] } = await navigator.locks.query();
      return {
        self: held.find((lock) => lock.name === probe)?.clientId ?? '',
        outbox: held.find((lock) => lock.name === outboxLock)?.clientId,
      };
    });
  };
  return 'goto' in target ? target.evaluate(read, OUTBOX_LOCK) : target.evaluate(read, OUTBOX_LOCK);
}

const loadedScripts = (page: Page) => page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));

async function storedCount(content: string): Promise<number> {
  const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE content = $1', [content]);
  return rows[0].n;
}

/** The page's initial JavaScript: index.html's module script and its modulepreloads. */
async function initialScripts(): Promise<string[]> {
  const html = await readFile(`${CLIENT_DIR}index.html`, 'utf8');
  const scripts = [...html.matchAll(/<script[^>]*type="module"[^>]*src="\/([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)];
  return scripts.map((match) => match[1]);
}

describe('connection worker', () => {
  it('[C3] XState is in the worker and the in-page fallback chunk, not in the page\'s initial JavaScript', async () => {
    const initial = await initialScripts();
    expect(initial.length).toBeGreaterThan(0);
    for (const file of initial) expect(await readFile(`${CLIENT_DIR}${file}`, 'utf8'), file).not.toContain(XSTATE_SIGNATURE);
    const assets = await readdir(`${CLIENT_DIR}assets`);
    const worker = assets.filter((file) => CONNECTION_WORKER.test(`/assets/${file}`));
    expect(worker).toHaveLength(1);
    expect(await readFile(`${CLIENT_DIR}assets/${worker[0]}`, 'utf8')).toContain(XSTATE_SIGNATURE);
    // W1: precached, so the app starts offline with its connection.
    expect(await readFile(`${CLIENT_DIR}sw.js`, 'utf8')).toContain(`assets/${worker[0]}`);
  });

  it('[C3][C7][C1][C5] the page goes live with no socket of its own: the machine, its socket and the outbox lock are in the worker; a message sent from the page is flushed by it and shown sent', async () => {
    const context = await env.newContext();
    await countPageSockets(context);
    const page = await context.newPage();
    await page.goto(`${env.origin}/chat`);
    await waitUntilLive(page);

    const worker = page.workers().find((candidate) => CONNECTION_WORKER.test(candidate.url()));
    expect(worker, `workers: ${page.workers().map((w) => w.url()).join(', ')}`).toBeDefined();
    // Live, yet the page never constructed a WebSocket: the socket is the worker's.
    expect(await page.evaluate(() => window.__pageSockets)).toBe(0);
    // The outbox lock is held, by the worker and not by the page (C7).
    const fromPage = await lockClients(page);
    const fromWorker = await lockClients(worker!);
    expect(fromWorker.outbox).toBe(fromWorker.self);
    expect(fromPage.outbox).toBe(fromWorker.self);
    expect(fromPage.self).not.toBe(fromWorker.self);
    // XState and the machine never loaded in the page.
    expect((await loadedScripts(page)).filter((url) => IN_PAGE_CHUNK.test(url))).toEqual([]);

    // The page writes the outbox row; only Dexie's cross-context change
    // event tells the worker, which sends it; its ack write reaches the
    // page's live query the same way.
    const text = 'sent from the page, flushed by the worker';
    await sendMessage(page, text);
    await expect.poll(async () => (await ownMessages(page)).map((m) => [m.text, m.status]), { timeout: UI_TIMEOUT_MS }).toEqual([[text, 'sent']]);
    expect(await storedCount(text)).toBe(1);
    expect(await page.evaluate(() => window.__pageSockets)).toBe(0);
    await context.close();
  });

  it('[C3][C1] a page without workers runs the same machine itself, behind the same status', async () => {
    const context = await env.newContext();
    await countPageSockets(context);
    await context.addInitScript(() => {
      Object.defineProperty(window, 'Worker', { configurable: true, value: undefined });
    });
    const page = await context.newPage();
    await page.goto(`${env.origin}/chat`);
    await waitUntilLive(page);

    expect(page.workers().filter((candidate) => CONNECTION_WORKER.test(candidate.url()))).toEqual([]);
    expect(await page.evaluate(() => window.__pageSockets)).toBe(1);
    expect((await loadedScripts(page)).filter((url) => IN_PAGE_CHUNK.test(url))).toHaveLength(1);

    const text = 'sent by the machine in the page';
    await sendMessage(page, text);
    await expect.poll(async () => (await ownMessages(page)).map((m) => [m.text, m.status]), { timeout: UI_TIMEOUT_MS }).toEqual([[text, 'sent']]);
    expect(await storedCount(text)).toBe(1);
    await context.close();
  });
});
