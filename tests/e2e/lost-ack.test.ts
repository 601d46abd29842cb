import type { Page, WebSocket as PageWebSocket } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * C4 resends an unacked message after ACK_TIMEOUT_MS (10 s), checked every
 * ACK_CHECK_INTERVAL_MS (5 s): the resend goes out 10–15 s after the first
 * send. Leave room for a loaded CI machine.
 */
const RESEND_TIMEOUT_MS = 40_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterEach(() => {
  env.proxy.dropFromServer = null;
});
afterAll(async () => {
  await env?.close();
});

interface ParsedFrame {
  type?: string;
  data?: { client_id?: string | null; content?: string }[];
  client_ids?: (string | null)[];
}

function parse(frame: string): ParsedFrame | null {
  try {
    return JSON.parse(frame) as ParsedFrame;
  } catch {
    return null;
  }
}

interface SentSend {
  socket: PageWebSocket;
  clientIds: string[];
  contents: string[];
}

/** Every P2 `messages` frame the page writes to any of its sockets. */
function recordSends(page: Page): SentSend[] {
  const sends: SentSend[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const frame = parse(payload);
      if (frame?.type !== 'messages' || !Array.isArray(frame.data)) return;
      sends.push({
        socket,
        clientIds: frame.data.map((item) => item.client_id ?? ''),
        contents: frame.data.map((item) => item.content ?? ''),
      });
    });
  });
  return sends;
}

async function storedCount(content: string): Promise<number> {
  const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE content = $1', [content]);
  return rows[0].n;
}

describe('lost ack', () => {
  it('[C4][C5][S3] a lost ack whose broadcast still arrives: the P4 copy settles the message, stored and shown once', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const sends = recordSends(page);
    await page.goto(`${env.origin}/chat`);
    await waitUntilLive(page);

    const text = 'ack lost, broadcast delivered';
    let ackDropped = false;
    const droppedBefore = env.proxy.dropped.length;
    env.proxy.dropFromServer = (raw) => {
      const frame = parse(raw);
      if (!ackDropped && frame?.type === 'message_ids') {
        ackDropped = true;
        return true;
      }
      return false;
    };

    await sendMessage(page, text);
    await expect.poll(async () => (await ownMessages(page)).map((m) => [m.text, m.status]), { timeout: UI_TIMEOUT_MS }).toEqual([[text, 'sent']]);

    // The proxy really swallowed the ack for this message.
    const first = sends.find((s) => s.contents.includes(text));
    const clientId = first?.clientIds[first.contents.indexOf(text)];
    expect(clientId).toMatch(/^[0-9A-Z]{26}$/);
    const droppedAcks = env.proxy.dropped.slice(droppedBefore).map(parse).filter((f) => f?.type === 'message_ids');
    expect(droppedAcks).toHaveLength(1);
    expect(droppedAcks[0]?.client_ids).toEqual([clientId]);

    expect(await storedCount(text)).toBe(1);
    expect((await shownMessages(page)).filter((m) => m.text === text)).toHaveLength(1);
    await context.close();
  });

  it('[C4][S3] ack and broadcast both lost: the client resends on the same socket after the ack timeout; stored once, shown once, ends sent', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const sends = recordSends(page);
    await page.goto(`${env.origin}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    // Live before sending, so the first send goes out at once.
    await waitUntilLive(page);

    const text = 'ack and broadcast lost, resent';
    let clientId: string | null = null;
    let ackDropped = false;
    let broadcastDropped = false;
    // Everything the server says about this message the first time is lost:
    // its ack (P3) and its broadcast (P4). Only a resend (C4) can settle it.
    env.proxy.dropFromServer = (raw) => {
      const frame = parse(raw);
      if (!broadcastDropped && frame?.type === 'messages' && frame.data?.some((m) => m.content === text)) {
        broadcastDropped = true;
        clientId ??= frame.data.find((m) => m.content === text)?.client_id ?? null;
        return true;
      }
      if (!ackDropped && frame?.type === 'message_ids' && frame.client_ids?.length === 1) {
        ackDropped = true;
        return true;
      }
      return false;
    };

    const droppedBefore = env.proxy.dropped.length;
    const started = Date.now();
    await sendMessage(page, text);
    // Not settled while nothing came back. (The worker can send, and the
    // proxy drop both answers, before the page has drawn the pending bubble:
    // poll for it rather than read it once.)
    await expect.poll(() => env.proxy.dropped.length - droppedBefore, { timeout: UI_TIMEOUT_MS }).toBe(2);
    await expect
      .poll(async () => (await ownMessages(page)).map((m) => m.status), { timeout: UI_TIMEOUT_MS })
      .toEqual([expect.stringMatching(/^(pending|sending)$/)]);

    await expect
      .poll(async () => (await ownMessages(page)).map((m) => [m.text, m.status]), { timeout: RESEND_TIMEOUT_MS })
      .toEqual([[text, 'sent']]);
    const settledAfterMs = Date.now() - started;

    // The proxy dropped exactly the first ack and the first broadcast of this message.
    expect(clientId).toMatch(/^[0-9A-Z]{26}$/);
    const dropped = env.proxy.dropped.slice(droppedBefore).map(parse);
    expect(dropped.map((f) => f?.type).sort()).toEqual(['message_ids', 'messages']);
    expect(dropped.find((f) => f?.type === 'message_ids')?.client_ids).toEqual([clientId]);

    // C4: sent twice with the same client_id (C2), both times on the same socket,
    // the second only after the ack timeout.
    const carrying = sends.filter((s) => s.clientIds.includes(clientId!));
    expect(carrying).toHaveLength(2);
    expect(carrying[1].socket).toBe(carrying[0].socket);
    expect(settledAfterMs).toBeGreaterThanOrEqual(10_000);

    // S3: stored exactly once, under the one client_id; C5: shown once.
    const { rows } = await env.db.pool.query<{ client_id: string }>('SELECT client_id FROM messages WHERE content = $1', [text]);
    expect(rows).toEqual([{ client_id: clientId }]);
    expect((await shownMessages(page)).filter((m) => m.text === text)).toHaveLength(1);
    // And it stays that way (the re-broadcast of the resend is dropped by id).
    await page.waitForTimeout(500);
    expect((await shownMessages(page)).filter((m) => m.text === text)).toEqual([{ text, status: 'sent' }]);
    await context.close();
  });
});
