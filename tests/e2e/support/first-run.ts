import type { BrowserContext, Locator, Page } from 'playwright-core';

/**
 * Helpers for what a new user sees first: boxes that must not overlap, a
 * browser that refuses persistent storage, and outbox rows written with a
 * chosen time.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether two boxes share any area (touching edges do not count). */
export function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The boxes of every visible element a locator matches (hidden ones have none). */
export async function visibleBoxes(locator: Locator): Promise<Box[]> {
  const boxes: Box[] = [];
  for (const element of await locator.all()) {
    if (!(await element.isVisible())) continue;
    const box = await element.boundingBox();
    if (box && box.width > 0 && box.height > 0) boxes.push(box);
  }
  return boxes;
}

/**
 * Until finite animations and transitions have finished (an entering toast
 * slides in), so boxes are measured where things come to rest. Endless ones
 * (pulsing dots) are left be.
 */
export async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    for (let quietFrames = 0; quietFrames < 3; ) {
      await frame();
      const running = document
        .getAnimations()
        .filter((animation) => animation.playState === 'running' && animation.effect?.getComputedTiming().iterations !== Infinity);
      if (running.length === 0) quietFrames++;
      else {
        quietFrames = 0;
        await Promise.all(running.map((animation) => animation.finished.catch(() => undefined)));
      }
    }
  });
}

declare global {
  interface Window {
    /** How often the page called navigator.storage.persist() (refusePersistentStorage). */
    __persistCalls?: number;
  }
}

/**
 * Every page of the context asks for persistent storage in vain, as a
 * browser that refuses it would answer (a first visit, a private window),
 * and counts the requests. Installed before any script of the page runs.
 */
export async function refusePersistentStorage(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.__persistCalls = 0;
    const storage = navigator.storage;
    // No StorageManager (about:blank before the first navigation): nothing to refuse.
    if (!storage) return;
    Object.defineProperty(storage, 'persist', {
      configurable: true,
      value: async () => {
        window.__persistCalls = (window.__persistCalls ?? 0) + 1;
        return false;
      },
    });
    Object.defineProperty(storage, 'persisted', { configurable: true, value: async () => false });
  });
}

/**
 * Puts a pending outbox row straight into IndexedDB, written at `createdAt`
 * (the OutboxItem shape of client/src/shared/db/whisper-db.ts; no identity,
 * so the page's takes it). The running page's live queries do not see such a
 * write: reload (or open) a page afterwards.
 */
export async function putOutboxRow(page: Page, row: { clientId: string; content: string; createdAt: string }): Promise<void> {
  await page.evaluate(
    ({ clientId, content, createdAt }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('whisper');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('outbox', 'readwrite');
          tx.objectStore('outbox').put({
            client_id: clientId,
            user_id: null,
            room_id: 'general',
            content,
            created_at: createdAt,
            status: 'pending',
            attempts: 0,
            sent_at: null,
            sent_on: null,
            error_code: null,
            error_message: null,
          });
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    row,
  );
}
