import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { buildApp } from '../../../server/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-db.js';
import { TEST_TOKEN_SECRET } from '../../support/test-server.js';
import { launchChromium } from './chromium.js';
import { FaultProxy } from './fault-proxy.js';
import { putOutboxRow } from './first-run.js';

const CLIENT_DIR = fileURLToPath(new URL('../../../client/dist', import.meta.url));

/** Long enough for connect, catch-up and ack on a loaded 2-core CI machine. */
export const UI_TIMEOUT_MS = 15_000;

/**
 * One browser test's world: a fresh database, the real server (in process,
 * so it can be stopped and started again on the same port), the fault proxy
 * in front of it, and Chromium. Pages load from the proxy's origin.
 */
export interface E2eEnv {
  db: TestDatabase;
  proxy: FaultProxy;
  /** http://127.0.0.1:<proxy port> — what the browser talks to. */
  origin: string;
  /** http://127.0.0.1:<server port> — straight to the server, for seeding. */
  serverUrl: string;
  browser: Browser;
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  openChat(context: BrowserContext): Promise<Page>;
  /**
   * A dead network for these contexts' pages (they talk through the proxy).
   * Chromium's setOffline() fires `offline` and fails new requests but
   * leaves an open WebSocket alone, so the proxy also cuts the sockets and
   * refuses new connections, as a real dead network would.
   */
  goOffline(...contexts: BrowserContext[]): Promise<void>;
  goOnline(...contexts: BrowserContext[]): Promise<void>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  close(): Promise<void>;
}

export async function createE2eEnv(): Promise<E2eEnv> {
  const db = await createTestDatabase();
  let app: FastifyInstance | null = null;
  let serverPort = 0;

  const startServer = async () => {
    app = await buildApp({ databaseUrl: db.url, tokenSecret: TEST_TOKEN_SECRET, clientDir: CLIENT_DIR });
    // Same port after a restart, so the proxy and the page need not know.
    await app.listen({ port: serverPort, host: '127.0.0.1' });
    serverPort = (app.server.address() as { port: number }).port;
  };
  const stopServer = async () => {
    await app?.close();
    app = null;
  };
  await startServer();

  const proxy = new FaultProxy(() => serverPort);
  const proxyPort = await proxy.listen();
  const origin = `http://127.0.0.1:${proxyPort}`;
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  return {
    db,
    proxy,
    origin,
    serverUrl: `http://127.0.0.1:${serverPort}`,
    browser,
    async newContext(options = {}) {
      const context = await browser.newContext({ locale: 'en-US', ...options });
      context.setDefaultTimeout(UI_TIMEOUT_MS);
      context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(error.message)));
      contexts.push(context);
      return context;
    },
    async openChat(context) {
      const page = await context.newPage();
      await page.goto(`${origin}/chat`);
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
      return page;
    },
    async goOffline(...offline) {
      for (const context of offline) await context.setOffline(true);
      proxy.cutAll();
      proxy.setRefusing(true);
    },
    async goOnline(...online) {
      proxy.setRefusing(false);
      for (const context of online) await context.setOffline(false);
    },
    stopServer,
    startServer,
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await proxy.close();
      await stopServer();
      await db.drop();
      if (pageErrors.length > 0) throw new Error(`uncaught errors in the page: ${pageErrors.join(' | ')}`);
    },
  };
}

export interface ShownMessage {
  text: string;
  /** data-status of own messages (C9); null for other people's. */
  status: string | null;
}

/** Every message in the log, in screen order, with its status. */
/** W1: the service worker controls the page, so the next navigation works offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: UI_TIMEOUT_MS });
}

/** The connection indicator says "Online": hello received and caught up (C3). */
export async function waitUntilLive(page: Page): Promise<void> {
  await page.locator('[role="status"][data-phase="online"]').waitFor();
}

export async function shownMessages(page: Page): Promise<ShownMessage[]> {
  return page.locator('[role="log"] [data-message]').evaluateAll((elements) =>
    elements.map((element) => ({
      text: element.querySelector('p')?.textContent ?? '',
      status: element.getAttribute('data-status'),
    })),
  );
}

/** Own messages only. */
export async function ownMessages(page: Page): Promise<ShownMessage[]> {
  return (await shownMessages(page)).filter((message) => message.status !== null);
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/**
 * Writes an outbox row the way an older client version (or a bug) might
 * have left it: straight into IndexedDB, bypassing the composer's limit,
 * then reloads the page, which finds it as it would after an update. (A
 * write that bypasses Dexie is invisible to the running page's live
 * queries.)
 */
export async function writeOutboxRow(page: Page, clientId: string, content: string): Promise<void> {
  await putOutboxRow(page, { clientId, content, createdAt: new Date().toISOString() });
  await page.reload();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

/** The outbox as IndexedDB holds it. */
