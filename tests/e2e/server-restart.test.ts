import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createE2eEnv, ownMessages, sendMessage, shownMessages, UI_TIMEOUT_MS, waitUntilLive, type E2eEnv } from './support/e2e-env.js';

/**
 * The server goes away under two chatting users and comes back on the same
 * port. The browsers see their sockets close and connects fail, back off
 * (500 ms × 2^n, capped at 30 s, jittered: C3) and come back on their own.
 */

/** The next retry after the restart can be several seconds away (backoff), plus catch-up and flush. */
const RECOVERY_TIMEOUT_MS = 45_000;

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
/** True between stopServer() and startServer(), so a failed test does not leave the next one without a server. */
let serverDown = false;
afterEach(async () => {
  env.proxy.dropFromServer = null;
  if (serverDown) await startServer();
});

async function stopServer(): Promise<void> {
  serverDown = true;
  await env.stopServer();
}

async function startServer(): Promise<void> {
  await env.startServer();
  serverDown = false;
}
afterAll(async () => {
  await env?.close();
});

const texts = async (page: Page) => (await shownMessages(page)).map((m) => m.text);
const statuses = async (page: Page) => (await ownMessages(page)).map((m) => m.status);

/** The stored copies of these texts, in seq order (a duplicate would show twice). */
async function stored(textsToFind: string[]): Promise<string[]> {
  const { rows } = await env.db.pool.query<{ content: string }>(
    'SELECT content FROM messages WHERE content = ANY($1) ORDER BY seq',
    [textsToFind],
  );
  return rows.map((row) => row.content);
}

/** Only the messages of this test (each test has new users, who also see the history before them). */
const only = (wanted: string[]) => (shown: string[]) => shown.filter((text) => wanted.includes(text));

describe('server restart', () => {
  it('[C3][C4][S3][P6] messages sent while the server is down are delivered once after it restarts', async () => {
    const alice = await env.openChat(await env.newContext());
    const bob = await env.openChat(await env.newContext());
    await waitUntilLive(alice);
    await waitUntilLive(bob);

    const before = ['Alice: before the restart', 'Bob: hi Alice'];
    await sendMessage(alice, before[0]);
    await expect.poll(() => texts(bob), { timeout: UI_TIMEOUT_MS }).toEqual(before.slice(0, 1));
    await sendMessage(bob, before[1]);
    await expect.poll(() => texts(alice), { timeout: UI_TIMEOUT_MS }).toEqual(before);
    await expect.poll(() => statuses(alice), { timeout: UI_TIMEOUT_MS }).toEqual(['sent']);
    await expect.poll(() => statuses(bob), { timeout: UI_TIMEOUT_MS }).toEqual(['sent']);

    await stopServer();
    // Both clients notice: the socket closed, reconnects fail, they wait on backoff.
    for (const page of [alice, bob]) await page.locator('[role="status"][data-phase]:not([data-phase="online"])').waitFor();

    const fromAlice = ['Alice: typed while the server is down', 'Alice: still down', 'Alice: one more before it is back'];
    const fromBob = 'Bob: are you there?';
    await sendMessage(alice, fromAlice[0]);
    // Let a few reconnect attempts fail in between, as a user typing on would.
    await alice.waitForTimeout(1_500);
    await sendMessage(alice, fromAlice[1]);
    await sendMessage(bob, fromBob);
    await alice.waitForTimeout(1_500);
    await sendMessage(alice, fromAlice[2]);
    await expect.poll(() => statuses(alice), { timeout: UI_TIMEOUT_MS }).toEqual(['sent', 'pending', 'pending', 'pending']);
    await expect.poll(() => statuses(bob), { timeout: UI_TIMEOUT_MS }).toEqual(['sent', 'pending']);
    expect(await stored([...fromAlice, fromBob])).toEqual([]);

    await startServer();

    await expect.poll(() => statuses(alice), { timeout: RECOVERY_TIMEOUT_MS }).toEqual(['sent', 'sent', 'sent', 'sent']);
    await expect.poll(() => statuses(bob), { timeout: RECOVERY_TIMEOUT_MS }).toEqual(['sent', 'sent']);
    const all = [...before, ...fromAlice, fromBob];
    // Each stored once; each sender's messages in the order typed (who
    // reconnects first decides how Alice's and Bob's interleave).
    await expect.poll(async () => (await stored(all)).length, { timeout: RECOVERY_TIMEOUT_MS }).toBe(all.length);
    const inSeqOrder = await stored(all);
    expect([...inSeqOrder].sort()).toEqual([...all].sort());
    expect(inSeqOrder.filter((text) => fromAlice.includes(text))).toEqual(fromAlice);
    // Both screens end with every message once, in the server's order.
    await expect.poll(() => texts(alice), { timeout: RECOVERY_TIMEOUT_MS }).toEqual(inSeqOrder);
    await expect.poll(() => texts(bob), { timeout: RECOVERY_TIMEOUT_MS }).toEqual(inSeqOrder);

    // Settled: nothing arrives twice later.
    await alice.waitForTimeout(1_000);
    expect(await texts(alice)).toEqual(inSeqOrder);
    expect(await texts(bob)).toEqual(inSeqOrder);
    expect(await stored(all)).toEqual(inSeqOrder);
  });

  it('[S3][S4][C4][C5] the server stops after storing a batch whose ack never arrived: the resend after the restart is stored once', async () => {
    const alice = await env.openChat(await env.newContext());
    const bob = await env.openChat(await env.newContext());
    await waitUntilLive(alice);
    await waitUntilLive(bob);

    const unacked = ['stored, ack lost 1', 'stored, ack lost 2'];
    // The commit happens, but neither the ack (P3) nor any broadcast of it (P4) reaches a browser.
    env.proxy.dropFromServer = (frame) => frame.includes('"message_ids"') || unacked.some((text) => frame.includes(text));
    for (const text of unacked) await sendMessage(alice, text);
    await expect.poll(() => stored(unacked), { timeout: UI_TIMEOUT_MS }).toEqual(unacked);
    // Written to the socket, committed, but unconfirmed as far as Alice knows
    // (marked `sending` once the ack is late: MARK_SENDING_DELAY_MS).
    await expect
      .poll(async () => (await ownMessages(alice)).filter((m) => unacked.includes(m.text)).map((m) => m.status), { timeout: UI_TIMEOUT_MS })
      .toEqual(['sending', 'sending']);

    await stopServer();
    env.proxy.dropFromServer = null;
    // Typed once Alice's client has seen its socket close (before that, the
    // flush may still write it to the dying socket: `sending`, equally unsent).
    await alice.locator('[role="status"][data-phase]:not([data-phase="online"])').waitFor();
    const during = 'typed during the outage';
    await sendMessage(alice, during);
    await expect
      .poll(async () => (await ownMessages(alice)).find((m) => m.text === during)?.status, { timeout: UI_TIMEOUT_MS })
      .toBe('pending');
    await startServer();

    const all = [...unacked, during];
    await expect
      .poll(async () => (await ownMessages(alice)).filter((m) => all.includes(m.text)), { timeout: RECOVERY_TIMEOUT_MS })
      .toEqual(all.map((text) => ({ text, status: 'sent' })));
    // Bob never got the broadcast; he catches up (P6) after the restart, each once.
    await expect.poll(async () => only(all)(await texts(bob)), { timeout: RECOVERY_TIMEOUT_MS }).toEqual(all);
    expect(await stored(all)).toEqual(all);

    await alice.waitForTimeout(1_000);
    expect(only(all)(await texts(alice))).toEqual(all);
    expect(only(all)(await texts(bob))).toEqual(all);
    expect(await stored(all)).toEqual(all);
  });
});
