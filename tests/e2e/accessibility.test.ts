import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, restSend } from '../support/fixtures.js';
import { animationsSettled } from './support/first-run.js';
import { createE2eEnv, ownMessages, sendMessage, UI_TIMEOUT_MS, writeOutboxRow, type E2eEnv } from './support/e2e-env.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

/** Serious and critical WCAG 2.1 A/AA violations, summarised for a readable failure. */
async function seriousViolations(page: Page) {
  // Axe measures colours as they are: half-way through a fade-in (a toast,
  // a new bubble) text is paler than it will be. So first let the service
  // worker's first install announce itself ("ready to work offline" toast),
  // then let every finite animation finish until a few frames pass quietly
  // (endless ones, pulsing dots and spinners, are left be).
  await page.evaluate(() => Promise.race([navigator.serviceWorker?.ready, new Promise((resolve) => setTimeout(resolve, 5_000))]));
  await animationsSettled(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5) }));
}

describe('accessibility (axe)', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`[C9] the chat page has no serious or critical violations, empty and full (${colorScheme})`, async () => {
      const context = await env.newContext({ colorScheme });
      const page = await env.openChat(context);
      await expect.poll(() => page.getByText('Online').count(), { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0);
      expect(await seriousViolations(page)).toEqual([]);

      // Full: other people's messages, own sent ones, and a failed one with its buttons.
      const other = await createSession(env.serverUrl);
      await restSend(env.serverUrl, other.token, {
        data: Array.from({ length: 12 }, (_, i) => ({ content: `Message ${i} from someone else, with enough words to wrap on a phone screen.` })),
      });
      await sendMessage(page, 'My own message');
      // A message the server will refuse, as an older client might have queued it.
      await writeOutboxRow(page, '01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'x'.repeat(4001));
      await expect.poll(async () => (await ownMessages(page)).map((m) => m.status).sort(), { timeout: UI_TIMEOUT_MS }).toEqual(['failed', 'sent']);
      await page.getByRole('button', { name: 'Retry' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  it('[C9][M6] the phone layout, the room list (home) and a room, has no serious or critical violations', async () => {
    const context = await env.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${env.origin}/`);
    const general = page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'general' });
    await general.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await general.click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`[C9][M4] the rooms dialogs, a new group with its notice, and its details panel have no serious or critical violations (${colorScheme})`, async () => {
      const context = await env.newContext({ colorScheme });
      const page = await env.openChat(context);
      await page.getByRole('button', { name: 'Browse public rooms' }).click();
      await page.getByRole('dialog', { name: 'Browse public rooms' }).getByRole('list', { name: 'Public rooms' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New room' }).click();
      const dialog = page.getByRole('dialog', { name: 'New room' });
      await dialog.getByRole('textbox', { name: 'Group name' }).fill('Trip');
      expect(await seriousViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Create group' }).click();
      await page.getByRole('heading', { level: 1, name: 'Trip' }).waitFor();
      await page.getByRole('log').locator('[data-notice]').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Room details' }).click();
      await page.getByRole('dialog', { name: 'Group info' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Delete group' }).click();
      await page.getByRole('dialog', { name: 'Delete “Trip”?' }).getByRole('button', { name: 'Delete' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`[A1][A4][A5] the account note, the profile sheet, the sign-up form with its errors, the login form and the unsent-work warning have no serious or critical violations (${colorScheme})`, async () => {
      const context = await env.newContext({ colorScheme });
      const page = await env.openChat(context);
      const note = page.getByRole('complementary', { name: 'Account' });
      await note.waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: /^Your profile/ }).click();
      const profile = page.getByRole('dialog', { name: 'Your profile' });
      await profile.getByRole('textbox', { name: 'Display name' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await profile.getByRole('button', { name: 'Create account' }).click();
      const signup = page.getByRole('dialog', { name: 'Create an account' });
      await signup.getByRole('textbox', { name: 'Username' }).fill('no');
      await signup.getByLabel('Password', { exact: true }).fill('short');
      await signup.getByLabel('Password', { exact: true }).press('Enter');
      await signup.getByText(/Usernames are 3 to 32/).waitFor();
      await signup.getByRole('button', { name: 'Show password' }).click();
      expect(await seriousViolations(page)).toEqual([]);
      await signup.getByRole('button', { name: 'I have an account: log in' }).click();
      await page.getByRole('dialog', { name: 'Log in' }).getByRole('textbox', { name: 'Username' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      // Unsent work, then "Log in": the warning first.
      await env.goOffline(context);
      await sendMessage(page, 'not sent yet');
      await page.getByRole('button', { name: /^Your profile/ }).click();
      await page.getByRole('dialog', { name: 'Your profile' }).getByRole('button', { name: 'I have an account: log in' }).click();
      const warning = page.getByRole('dialog', { name: 'Before you log in' });
      await warning.getByRole('button', { name: 'Create an account for this identity first' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await env.goOnline(context);
    });
  }
});
