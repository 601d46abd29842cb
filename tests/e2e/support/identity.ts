import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { UI_TIMEOUT_MS } from './e2e-env.js';

/** The identity the page's device holds (P1), straight from IndexedDB, once it has one. */
export async function identityOf(page: Page): Promise<{ user_id: string; token: string }> {
  await expect.poll(() => page.evaluate(readIdentity), { timeout: UI_TIMEOUT_MS }).not.toBeNull();
  return (await page.evaluate(readIdentity))!;
}

/** Runs in the page. */
function readIdentity(): Promise<{ user_id: string; token: string } | null> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('whisper');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction('meta').objectStore('meta').get('identity');
      request.onsuccess = () => {
        open.result.close();
        resolve((request.result?.value as { user_id: string; token: string } | undefined) ?? null);
      };
    };
  });
}
