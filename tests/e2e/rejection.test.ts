import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, UI_TIMEOUT_MS, waitUntilLive, writeOutboxRow, type E2eEnv } from './support/e2e-env.js';

/** The server's limit (MAX_CONTENT_LENGTH) is 4000; the composer never lets more through. */
const TOO_LONG = 4001;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

/**
 * A ULID-shaped client_id (26 Crockford base-32 characters) that sorts after
 * anything minted now, so the row is last in enqueue order.
 */
function fakeUlid(suffix: string): string {
  const id = `7${'Z'.repeat(25 - suffix.length)}${suffix}`;
  if (id.length !== 26) throw new Error(`bad ULID ${id}`);
  return id;
}

async function outboxRows(page: Page): Promise<{ client_id: string; status: string; error_code: string | null }[]> {
  return page.evaluate(
    () =>
      new Promise<{ client_id: string; status: string; error_code: string | null }[]>((resolve, reject) => {
        const open = indexedDB.open('whisper');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const request = db.transaction('outbox', 'readonly').objectStore('outbox').getAll();
          request.onsuccess = () => {
            db.close();
            resolve(request.result.map(({ client_id, status, error_code }) => ({ client_id, status, error_code })));
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
}

interface SocketTraffic {
  /** client_ids of every P2 item the page wrote to a socket, one entry per send. */
  sentClientIds: string[];
  /** Every P7 frame the page received. */
  rejected: { client_ids: string[]; code: string; message: string }[];
}

function watchSockets(page: Page): SocketTraffic {
  const traffic: SocketTraffic = { sentClientIds: [], rejected: [] };
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const frame = JSON.parse(payload) as { type?: string; data?: { client_id?: string }[] };
      if (frame.type === 'messages') for (const item of frame.data ?? []) traffic.sentClientIds.push(item.client_id ?? '');
    });
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const frame = JSON.parse(payload) as { type?: string };
      if (frame.type === 'rejected') traffic.rejected.push(frame as SocketTraffic['rejected'][number]);
    });
  });
  return traffic;
}

const occurrences = (list: string[], value: string) => list.filter((x) => x === value).length;

describe('rejected message', () => {
  it('[C6][P7][C9] a too-long message from an old client is rejected: failed with the reason, Retry and Delete; Delete removes it for good', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const traffic = watchSockets(page);
    await page.goto(`${env.origin}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await waitUntilLive(page);

    const clientId = fakeUlid('A1');
    const content = 'x'.repeat(TOO_LONG);
    await writeOutboxRow(page, clientId, content);

    // The running app finds the pending row and sends it; the server rejects it (P7).
    await expect.poll(() => occurrences(traffic.sentClientIds, clientId), { timeout: UI_TIMEOUT_MS }).toBe(1);
    await expect.poll(() => traffic.rejected.filter((f) => f.client_ids.includes(clientId)), { timeout: UI_TIMEOUT_MS }).toEqual([
      { type: 'rejected', client_ids: [clientId], code: 'invalid_content', message: expect.stringContaining('4000') },
    ]);

    const bubble = page.locator(`[role="log"] [data-message][data-client-id="${clientId}"]`);
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('failed');
    // The reason, and both actions, on the failed bubble (C6).
    // (The UI may word the server's reason for people; it must say why.)
    await expect.poll(() => bubble.textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/too long|longer than 4000/i);
    expect(await bubble.getByRole('button', { name: 'Retry' }).isEnabled()).toBe(true);
    expect(await bubble.getByRole('button', { name: 'Delete' }).isEnabled()).toBe(true);
    expect(await outboxRows(page)).toEqual([{ client_id: clientId, status: 'failed', error_code: 'invalid_content' }]);

    // Never stored (P7).
    const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE length(content) > 4000');
    expect(rows[0].n).toBe(0);

    await bubble.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => bubble.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    expect(await ownMessages(page)).toEqual([]);

    // For good: a reload does not bring it back, and the outbox is empty.
    await page.reload();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await waitUntilLive(page);
    expect(await page.locator(`[data-client-id="${clientId}"]`).count()).toBe(0);
    expect(await ownMessages(page)).toEqual([]);
    expect(await outboxRows(page)).toEqual([]);
    // Deleted rows are not sent again either.
    expect(occurrences(traffic.sentClientIds, clientId)).toBe(1);
    await context.close();
  });

  it('[C6][C2][P7] Retry resends the rejected message under the same client_id; it is rejected again', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const traffic = watchSockets(page);
    await page.goto(`${env.origin}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await waitUntilLive(page);

    const clientId = fakeUlid('B2');
    await writeOutboxRow(page, clientId, 'y'.repeat(TOO_LONG + 500));

    const bubble = page.locator(`[role="log"] [data-message][data-client-id="${clientId}"]`);
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('failed');
    expect(occurrences(traffic.sentClientIds, clientId)).toBe(1);
    const rejectedBefore = traffic.rejected.length;

    await bubble.getByRole('button', { name: 'Retry' }).click();

    // C2: the retry carries the same client_id; the server rejects it again.
    await expect.poll(() => occurrences(traffic.sentClientIds, clientId), { timeout: UI_TIMEOUT_MS }).toBe(2);
    await expect
      .poll(() => traffic.rejected.slice(rejectedBefore).filter((f) => f.client_ids.includes(clientId)).map((f) => f.code), { timeout: UI_TIMEOUT_MS })
      .toEqual(['invalid_content']);
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('failed');
    await expect.poll(() => bubble.getByRole('button', { name: 'Retry' }).count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    // Still one row under the one client_id, failed again; nothing stored.
    expect(await outboxRows(page)).toEqual([{ client_id: clientId, status: 'failed', error_code: 'invalid_content' }]);
    expect(await ownMessages(page)).toEqual([{ text: 'y'.repeat(TOO_LONG + 500), status: 'failed' }]);
    const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(rows[0].n).toBe(0);
    await context.close();
  });
});
