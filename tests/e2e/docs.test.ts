/**
 * R3: /docs (Swagger UI) runs in real Chromium under the app's strict
 * Content-Security-Policy without a single violation, and shows the socket
 * protocol: every frame type both ways, with examples and schemas.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { launchChromium } from './support/chromium.js';

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Collects every CSP violation the page reports, from the first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) console.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.effectiveDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  return async () => {
    // Violation events are queued as tasks: let the page run the ones already queued.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));
    return [...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)), ...console];
  };
}

describe('API docs in a browser', () => {
  it('[R3] /docs renders without CSP violations and describes the socket frames', async () => {
    const page = await browser.newPage();
    const violations = await watchViolations(page);
    const response = await page.goto(`${server.baseUrl}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("style-src 'self'");
    expect(response?.headers()['content-security-policy']).not.toContain('unsafe-inline');

    // Open every operation and every schema, so that all of the UI has rendered.
    const socketRoute = page.locator('.opblock').filter({ hasText: '/v1/chat/ws' });
    await socketRoute.waitFor();
    for (const summary of await page.locator('.opblock-summary-control').all()) await summary.click();
    await socketRoute.locator('.opblock-description-wrapper').waitFor();
    for (const expand of await page.locator('section.models .json-schema-2020-12-expand-deep-button').all()) await expand.click();
    await page.locator('section.models').getByText('ServerFrame', { exact: true }).waitFor();

    const text = await socketRoute.locator('.opblock-description-wrapper').innerText();
    const [toServer, toClient] = text.split('Server → client');
    expect(toClient, text).toBeDefined();
    for (const type of ['messages', 'sync', 'ping']) expect(toServer, type).toContain(`{"type":"${type}"`);
    for (const type of ['hello', 'messages', 'message_ids', 'rejected', 'error', 'synced', 'pong']) expect(toClient, type).toContain(`{"type":"${type}"`);
    const schemas = await page.locator('section.models').innerText();
    for (const name of ['ClientFrame', 'ServerFrame', 'HelloFrame', 'AckFrame', 'SyncedFrame']) expect(schemas, name).toContain(name);

    expect(await violations()).toEqual([]);
    await page.close();
  });
});
