import type { Dialog } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

/** Markup that would run script if a message were ever rendered as HTML. */
const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '<svg onload="alert(1)"></svg>',
  '<img src=x onerror="document.title=\'pwned\'">',
  '"><iframe src="javascript:alert(1)"></iframe>',
];

/** P1 + P10: another user, straight to the server (not through the page). */
async function restSend(contents: string[]): Promise<void> {
  const session = await fetch(`${env.serverUrl}/v1/session`, { method: 'POST' });
  expect(session.status).toBe(200);
  const { token } = (await session.json()) as { token: string };
  const response = await fetch(`${env.serverUrl}/v1/chat/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'messages',
      data: contents.map((content, i) => ({ client_id: `xss-${Date.now()}-${i}`, content })),
    }),
  });
  expect(response.status).toBe(200);
}

describe('hostile message content', () => {
  it('[R3] markup sent by another user is shown as literal text: no element is created, nothing runs', async () => {
    // Some before the page opens (they arrive as history, P5) …
    await restSend(PAYLOADS.slice(0, 2));

    const context = await env.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog: Dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const response = await page.goto(`${env.origin}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await waitUntilLive(page);

    // R3: the document comes with a strict CSP: no inline script or style.
    const csp = response?.headers()['content-security-policy'];
    expect(csp).toBeDefined();
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toMatch(/script-src 'self'(;|$)/);

    // … and the rest live, over the socket (P4).
    await restSend(PAYLOADS.slice(2));
    // The user's own copy of a payload goes through the composer and the outbox too.
    await sendMessage(page, PAYLOADS[0]);

    const expected = [...PAYLOADS, PAYLOADS[0]];
    await expect.poll(async () => (await shownMessages(page)).map((m) => m.text), { timeout: UI_TIMEOUT_MS }).toEqual(expected);
    await expect.poll(async () => (await ownMessages(page)).map((m) => m.status), { timeout: UI_TIMEOUT_MS }).toEqual(['sent']);

    const log = page.locator('[role="log"]');
    // Literal text, visible as typed.
    for (const payload of PAYLOADS) {
      expect(await log.getByText(payload, { exact: true }).count()).toBeGreaterThanOrEqual(1);
    }
    // No element came from the content: the log holds no img/script/svg/iframe at all
    // (the app's own icons are svg, so count only svg inside message text).
    expect(await log.locator('img, script, iframe').count()).toBe(0);
    expect(await log.locator('[data-message] p svg, [data-message] p *').count()).toBe(0);
    expect(await page.locator('script:not([src])').count()).toBe(0);

    // Give a deferred onerror/onload a chance, then check that nothing ran.
    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
    expect(await page.title()).not.toBe('pwned');
    await context.close();
  });

  it('[R3] every page the server serves carries a strict Content-Security-Policy without unsafe-inline', async () => {
    for (const path of ['/', '/chat', '/index.html']) {
      const response = await fetch(`${env.origin}${path}`, { redirect: 'manual' });
      const csp = response.headers.get('content-security-policy');
      expect(csp, path).toBeTruthy();
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
    }
  });
});
