/**
 * README screenshots of the real app: the real server on a throwaway
 * database, a conversation seeded through the protocol, and the built client
 * in Chromium, photographed on a phone and a desktop in light and dark mode.
 *
 *   npm run build                                    # this script builds nothing: it serves client/dist
 *   node --import tsx tests/e2e/readme-screenshots.ts
 *
 * Writes every shot to tests/output/screenshots/ (gitignored) and copies the
 * light phone and desktop ones to client/screenshots/ (committed; the README
 * shows them). Console errors, uncaught page errors and CSP violations are
 * printed at the end; the last two fail the run, since a page that threw or
 * broke the CSP is not one to put in the README.
 *
 * Needs: PostgreSQL on 127.0.0.1:5432 with trust auth (override with
 * ADMIN_DATABASE_URL) and a Chromium at /usr/bin/chromium (CHROMIUM_PATH).
 * Everything it creates (database, server process, temp dir) is removed on
 * the way out, on failure and on Ctrl-C too.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { ulid } from 'ulid';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT_INDEX = path.join(ROOT, 'client/dist/index.html');
const OUTPUT_DIR = path.join(ROOT, 'tests/output/screenshots');
const COMMITTED_DIR = path.join(ROOT, 'client/screenshots');

const ADMIN_DATABASE_URL = process.env.ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Headless in a container: no sandbox (no user namespaces), no GPU, and no
 * background traffic (updates, sync, QUIC probes) that would only add noise
 * or hang on a machine without internet.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** tsx compiles the server on first start and migrations run before it listens. */
const SERVER_START_TIMEOUT_MS = 30_000;
const HEALTH_POLL_INTERVAL_MS = 200;
/** Longer than the server's own drain (SHUTDOWN_GRACE_MS, 15 s) so a clean exit is not cut short; then SIGKILL. */
const SERVER_STOP_TIMEOUT_MS = 20_000;
/** Connecting, catching up and acking take well under a second locally; the client's own connect timeout is 10 s. */
const UI_TIMEOUT_MS = 15_000;
const SEED_REQUEST_TIMEOUT_MS = 5_000;

/** An iPhone 14/15-sized phone and a common laptop screen. */
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 };
/** Same look on every machine: a fixed locale and time zone for the times under the bubbles. */
const COMMON_CONTEXT: BrowserContextOptions = { locale: 'en-US', timezoneId: 'Europe/Berlin', colorScheme: 'light' };
/** The service worker installs on the first visit (W1) and then announces "Ready to work offline". */
const SERVICE_WORKER_TIMEOUT_MS = 10_000;
/** How long that announcement may take to appear once the worker is ready. */
const OFFLINE_READY_TOAST_TIMEOUT_MS = 5_000;

/** Seeded people (index into SEED_USERS) and what they say, in order. */
const SEED_USERS = 3;
const SEED_MESSAGES: ReadonlyArray<readonly [number, string]> = [
  [0, 'Morning! Is the new build out yet?'],
  [1, 'Deployed ten minutes ago 🚀'],
  [0, 'Trying it on the train. The tunnel near the station used to eat half my messages.'],
  [
    1,
    'That was the whole point of this release: every message is saved on your phone first and sent as soon as there is a connection.\nReloads, dead sockets, lost acks: nothing is lost and nothing shows up twice.',
  ],
  [2, 'Does it escape HTML? Asking for a friend: <img src=x onerror=alert(1)>'],
  [1, 'Plain text, as it should be 😄'],
];
/** Typed into the page by its own (fresh) identity while online: they end up with the sent tick. */
const OWN_MESSAGES = ['Just came out of the tunnel. Everything arrived, in order 🎉', 'Sharing it with the team now'];
/** Typed while the browser is offline: it stays queued with the pending clock. */
const OFFLINE_MESSAGE = 'This one waits for the next station';

interface Problems {
  console: string[];
  pageErrors: string[];
  csp: string[];
}

/** Everything to undo on the way out, in reverse order of creation. */
const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];

function log(message: string) {
  console.log(`[screenshots] ${message}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<string> {
  // A random suffix: parallel runs and leftovers of a killed run never collide.
  const name = `whisper_shots_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  // FORCE (PostgreSQL 13+): a server that was SIGKILLed may leave connections behind.
  cleanups.push({ what: `drop database ${name}`, run: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) });
  log(`database ${name}`);
  return withDatabase(ADMIN_DATABASE_URL, name);
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startServer(databaseUrl: string): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'whisper-shots-'));
  cleanups.push({ what: `remove ${dataDir}`, run: () => rm(dataDir, { recursive: true, force: true }) });
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the server');
  // The server logs warnings and errors only; pass them through, marked.
  const relay = (chunk: Buffer) => process.stderr.write(chunk.toString().replace(/^(?=.)/gm, '[server] '));
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  cleanups.push({
    what: `stop server (pid ${pid})`,
    async run() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, 'SIGTERM');
      if (await waitForExit(child, SERVER_STOP_TIMEOUT_MS)) return;
      log(`server ${pid} did not stop in ${SERVER_STOP_TIMEOUT_MS} ms; killing it`);
      process.kill(pid, 'SIGKILL');
      await waitForExit(child, SERVER_STOP_TIMEOUT_MS);
    },
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before it was healthy`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) {
        log(`server pid ${pid} on ${baseUrl}`);
        return baseUrl;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_INTERVAL_MS));
  }
  throw new Error(`the server was not healthy within ${SERVER_START_TIMEOUT_MS} ms`);
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(SEED_REQUEST_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** P1 identities, then one P10 send per message so they are stored (and numbered) in this order. */
async function seedConversation(baseUrl: string): Promise<void> {
  const tokens: string[] = [];
  for (let i = 0; i < SEED_USERS; i++) {
    tokens.push((await postJson<{ token: string }>(`${baseUrl}/v1/session`, {})).token);
  }
  for (const [user, content] of SEED_MESSAGES) {
    const ack = await postJson<{ message_ids: string[] }>(
      `${baseUrl}/v1/chat/messages`,
      { type: 'messages', data: [{ client_id: ulid(), room_id: 'general', content }] },
      tokens[user],
    );
    if (ack.message_ids.length !== 1) throw new Error(`seed message was not stored: ${JSON.stringify(ack)}`);
  }
  log(`seeded ${SEED_MESSAGES.length} messages from ${SEED_USERS} users`);
}

/** Collects what the page complains about; CSP violations are reported by an event the page cannot suppress. */
async function watch(context: BrowserContext, label: string, problems: Problems): Promise<void> {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'}`);
    });
  });
  context.on('page', (page) => attach(page, label, problems));
}

function attach(page: Page, label: string, problems: Problems) {
  page.on('console', (message) => {
    const text = `[${label}] ${message.type()}: ${message.text()}`;
    if (message.text().startsWith('CSP violation') || /Content Security Policy/i.test(message.text())) problems.csp.push(text);
    else if (message.type() === 'error' || message.type() === 'warning') problems.console.push(text);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(`[${label}] ${error.stack ?? error.message}`));
}

async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(sel).length >= n,
    [selector, count] as const,
    { timeout: UI_TIMEOUT_MS },
  );
}

async function openChat(page: Page, baseUrl: string, expectedMessages: number): Promise<void> {
  await page.goto(`${baseUrl}/chat`, { timeout: UI_TIMEOUT_MS });
  await page.getByRole('log').waitFor({ timeout: UI_TIMEOUT_MS });
  await page.locator('[data-phase="online"]').waitFor({ timeout: UI_TIMEOUT_MS });
  await waitForCount(page, '[data-message]', expectedMessages);
  await dismissOfflineReady(page);
}

/**
 * The real app registers its service worker, so the shots are taken as
 * users see the app (and a worker that fails shows up in the console list).
 * Its one-time "Ready to work offline" toast would cover the top of the
 * shots: tap OK as a person would. No toast in time is not an error.
 */
async function dismissOfflineReady(page: Page): Promise<void> {
  const ready = await page.evaluate(
    (ms) =>
      Promise.race([
        navigator.serviceWorker.ready.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
      ]),
    SERVICE_WORKER_TIMEOUT_MS,
  );
  if (!ready) {
    log('the service worker did not become ready; shooting without it');
    return;
  }
  try {
    await page.getByRole('button', { name: 'OK' }).click({ timeout: OFFLINE_READY_TOAST_TIMEOUT_MS });
    await page.getByRole('button', { name: 'OK' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
  } catch {
    // Already dismissed or never shown.
  }
}

/** R3: the seeded markup must arrive as text, with no element made from it. */
async function assertTextStaysText(page: Page): Promise<void> {
  const markup = SEED_MESSAGES.find(([, content]) => content.includes('<img'))?.[1];
  if (!markup) return;
  await page.getByText(markup, { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
  const images = await page.getByRole('log').locator('img').count();
  if (images > 0) throw new Error(`R3: the message list contains ${images} <img> element(s)`);
}

/** Types like a person (key by key), then Enter, which is how the composer sends. */
async function typeAndSend(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially(text);
  await composer.press('Enter');
}

async function shoot(page: Page, name: string): Promise<string> {
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  // Finished transitions (messages slide in) and no caret: the same pixels every run.
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  log(`wrote ${path.relative(ROOT, file)}`);
  return file;
}

async function phoneShots(browser: Browser, baseUrl: string, problems: Problems) {
  const context = await browser.newContext({ ...COMMON_CONTEXT, ...PHONE });
  await watch(context, 'phone', problems);
  const page = await context.newPage();
  await openChat(page, baseUrl, SEED_MESSAGES.length);
  await assertTextStaysText(page);

  for (const text of OWN_MESSAGES) await typeAndSend(page, text);
  await waitForCount(page, '[data-status="sent"]', OWN_MESSAGES.length);

  // Extra shots for design review (not in the README): the open drawer and the unknown route.
  await page.getByRole('button', { name: 'Open menu' }).click();
  await page.getByRole('dialog', { name: 'Menu' }).waitFor({ timeout: UI_TIMEOUT_MS });
  await shoot(page, 'phone-drawer-light');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });

  // Offline, the connection machine drops its socket (the `offline` event),
  // so the next message stays queued with its clock. Sent ones were typed
  // while online above.
  await context.setOffline(true);
  await page.locator('[data-phase="offline"]').waitFor({ timeout: UI_TIMEOUT_MS });
  await typeAndSend(page, OFFLINE_MESSAGE);
  await page.locator('[data-status="pending"]').waitFor({ timeout: UI_TIMEOUT_MS });
  // The composer keeps focus after sending; blur it so the shot shows the resting composer.
  await page.getByRole('textbox', { name: 'Message' }).blur();

  const light = await shoot(page, 'phone-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shoot(page, 'phone-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // The desktop continues as the same person: IndexedDB (identity, cache,
  // the queued message) and localStorage (notice flags) carry over.
  const state = await context.storageState({ indexedDB: true });

  await context.setOffline(false);
  await page.goto(`${baseUrl}/no-such-page`, { timeout: UI_TIMEOUT_MS });
  await page.getByRole('heading', { name: 'Page not found' }).waitFor({ timeout: UI_TIMEOUT_MS });
  await shoot(page, 'phone-not-found-light');

  await context.close();
  return { light, state };
}

async function desktopShots(
  browser: Browser,
  baseUrl: string,
  storageState: Awaited<ReturnType<BrowserContext['storageState']>>,
  problems: Problems,
) {
  const context = await browser.newContext({ ...COMMON_CONTEXT, ...DESKTOP, storageState });
  await watch(context, 'desktop', problems);
  const page = await context.newPage();
  const total = SEED_MESSAGES.length + OWN_MESSAGES.length + 1;
  await openChat(page, baseUrl, total);
  // Back online, the message queued on the phone goes out: every own message ends up sent.
  await waitForCount(page, '[data-status="sent"]', OWN_MESSAGES.length + 1);
  const light = await shoot(page, 'desktop-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shoot(page, 'desktop-dark');
  await context.close();
  return { light };
}

/** Without a colour emoji font (Debian: fonts-noto-color-emoji) the seeded emoji come out as empty boxes. */
function checkEmojiFont(): void {
  try {
    const fonts = execFileSync('fc-list', [':charset=1f389', 'family'], { encoding: 'utf8' });
    if (fonts.trim() === '') log('warning: no font has emoji such as 🎉; install fonts-noto-color-emoji for the shots');
  } catch {
    // No fontconfig tools: cannot tell, Chromium will use what it has.
  }
}

async function main(): Promise<number> {
  try {
    await access(CLIENT_INDEX);
  } catch {
    throw new Error(`${path.relative(ROOT, CLIENT_INDEX)} is missing: run \`npm run build\` first`);
  }
  checkEmojiFont();
  await mkdir(OUTPUT_DIR, { recursive: true });
  await mkdir(COMMITTED_DIR, { recursive: true });

  const databaseUrl = await createDatabase();
  const baseUrl = await startServer(databaseUrl);
  await seedConversation(baseUrl);

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  cleanups.push({ what: 'close Chromium', run: () => browser.close() });
  const problems: Problems = { console: [], pageErrors: [], csp: [] };

  const phone = await phoneShots(browser, baseUrl, problems);
  const desktop = await desktopShots(browser, baseUrl, phone.state, problems);

  await copyFile(phone.light, path.join(COMMITTED_DIR, 'phone.png'));
  await copyFile(desktop.light, path.join(COMMITTED_DIR, 'desktop.png'));
  log(`copied the light shots to ${path.relative(ROOT, COMMITTED_DIR)}/`);

  for (const [title, lines] of [
    ['console errors and warnings', problems.console],
    ['uncaught page errors', problems.pageErrors],
    ['CSP violations', problems.csp],
  ] as const) {
    log(`${title}: ${lines.length === 0 ? 'none' : ''}`);
    for (const line of lines) console.log(`  ${line}`);
  }
  return problems.pageErrors.length + problems.csp.length > 0 ? 1 : 0;
}

/** Runs every cleanup once, newest first; a failing step does not stop the others. */
let cleanedUp: Promise<boolean> | undefined;
function cleanup(): Promise<boolean> {
  cleanedUp ??= (async () => {
    let ok = true;
    for (const step of cleanups.reverse()) {
      try {
        await step.run();
      } catch (error) {
        ok = false;
        console.error(`[screenshots] cleanup failed: ${step.what}:`, error);
      }
    }
    return ok;
  })();
  return cleanedUp;
}

// Ctrl-C: still stop the server and drop the database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error('[screenshots] failed:', error);
  exitCode = 1;
} finally {
  if (!(await cleanup())) exitCode = 1;
}
process.exit(exitCode);
