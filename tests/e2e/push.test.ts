/**
 * N1 in the browser: a push delivered to the service worker (through the
 * DevTools protocol's ServiceWorker.deliverPushMessage, as a push service
 * would deliver it) shows the room's notification with the right title,
 * tag and data, and a `read` push for the room closes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushKind, type PushMessagePayload, type PushReadPayload } from '../../server/protocol/index.js';
import { createE2eEnv, waitForServiceWorker, type E2eEnv } from './support/e2e-env.js';
import { registrationIdOf } from './support/service-worker.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

interface Shown {
  title: string;
  tag: string;
  body: string;
  data: unknown;
}

describe('N1 push in the service worker', () => {
  it('[N1] a delivered push shows the room\'s notification (title, tag, data); a read push closes it', async () => {
    const context = await env.newContext();
    const page = await env.openChat(context);
    await waitForServiceWorker(page);
    // Playwright's grant is CDP's Browser.grantPermissions for this browser context (a CDP session's own call would name the default one).
    await context.grantPermissions(['notifications'], { origin: env.origin });
    const cdp = await context.newCDPSession(page);
    const registrationId = await registrationIdOf(cdp, env.origin);
    const shown = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, tag: n.tag, body: n.body, data: n.data as unknown })),
      ) as Promise<Shown[]>;

    const message: PushMessagePayload = { t: PushKind.Message, r: 'general', s: 42, n: 'Ana in general', b: 'New message', u: 3 };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.origin, registrationId, data: JSON.stringify(message) });
    await expect.poll(shown).toEqual([{ title: 'Ana in general', tag: 'general', body: 'New message', data: { room_id: 'general', seq: 42 } }]);

    // A newer message of the same room replaces it: one notification per room.
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.origin, registrationId, data: JSON.stringify({ ...message, s: 43, b: 'hello' }) });
    await expect.poll(shown).toEqual([expect.objectContaining({ tag: 'general', body: 'hello', data: { room_id: 'general', seq: 43 } })]);

    // Read elsewhere up to an older seq: the notification of a newer message stays; up to it: it goes.
    const read: PushReadPayload = { t: PushKind.Read, r: 'general', s: 42, u: 1 };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.origin, registrationId, data: JSON.stringify(read) });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.origin, registrationId, data: JSON.stringify({ ...message, r: 'other', n: 'Ben' }) });
    await expect.poll(async () => (await shown()).map((n) => n.tag).sort()).toEqual(['general', 'other']);
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.origin, registrationId, data: JSON.stringify({ ...read, s: 43 }) });
    await expect.poll(async () => (await shown()).map((n) => n.tag)).toEqual(['other']);
  });
});
