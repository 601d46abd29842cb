import { describe, expect, it, vi } from 'vitest';
import { OWNER_KEY } from './device-flags';
import { forgetOthersSubscription, keyBytes, pushState, setPreviews, turnOff, turnOn, type PushEnvironment } from './push-subscription';

const ME = { token: 'tok', userId: 'me' };

const KEY = 'BElDX0h7rE7mU4q5S5QYwJH2N3_0kmxI7p9d4E7tG8c-XJ9JDTJZQ3l3j4T0w7bD5Pj1aPTrVJQ3x3LkqfKvN1w';
const SUBSCRIPTION = { endpoint: 'https://push.example/abc', expirationTime: null, keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XLjhUUGQ_pPhmuNW0Vj3eDY', auth: 'tBHItJI5svbpez7KI4CCXg' } };

/** A browser with Web Push: the permission the user gives, and what reached the server. */
function fakeBrowser(answer: NotificationPermission, initial: NotificationPermission = 'default') {
  let permission = initial;
  let subscribed: (PushSubscription & { unsubscribe: ReturnType<typeof vi.fn> }) | null = null;
  const requests: { method: string; path: string; body: unknown }[] = [];
  const subscribe = vi.fn(async (options: PushSubscriptionOptionsInit) => {
    subscribed = { ...SUBSCRIPTION, options, toJSON: () => SUBSCRIPTION, unsubscribe: vi.fn(async () => ((subscribed = null), true)) } as never;
    return subscribed!;
  });
  const env: PushEnvironment = {
    pushManager: () => Promise.resolve({ getSubscription: async () => subscribed, subscribe } as unknown as PushManager),
    permission: () => permission,
    requestPermission: vi.fn(async () => (permission = answer)),
    fetch: vi.fn(async (path: RequestInfo | URL, init?: RequestInit) => {
      requests.push({ method: init?.method ?? 'GET', path: String(path), body: init?.body ? JSON.parse(String(init.body)) : undefined });
      return String(path).endsWith('/key') ? new Response(JSON.stringify({ key: KEY }), { status: 200 }) : new Response(null, { status: 204 });
    }) as unknown as typeof fetch,
  };
  return { env, requests, subscribe, current: () => subscribed };
}

describe('opting in to notifications (N1, N2)', () => {
  it('[N1] on: the permission, a subscription for the server\'s key (userVisibleOnly), posted with the choice of previews', async () => {
    const browser = fakeBrowser('granted');
    expect(await pushState(browser.env)).toBe('off');
    expect(await turnOn(ME, true, browser.env)).toBe('on');
    expect(browser.env.requestPermission).toHaveBeenCalledOnce();
    expect(browser.subscribe).toHaveBeenCalledWith({ userVisibleOnly: true, applicationServerKey: keyBytes(KEY) });
    expect(keyBytes(KEY)).toHaveLength(65);
    expect(browser.requests).toEqual([
      { method: 'GET', path: '/v1/push/key', body: undefined },
      { method: 'POST', path: '/v1/push/subscriptions', body: { ...SUBSCRIPTION, previews: true } },
    ]);
    expect(await pushState(browser.env)).toBe('on');
  });

  it('[N2] changing previews posts the same subscription again with the new choice', async () => {
    const browser = fakeBrowser('granted', 'granted');
    await turnOn(ME, false, browser.env);
    await setPreviews('tok', true, browser.env);
    expect(browser.requests.at(-1)).toEqual({ method: 'POST', path: '/v1/push/subscriptions', body: { ...SUBSCRIPTION, previews: true } });
  });

  it('[N1] off: the server forgets the subscription (DELETE, same body), then the browser unsubscribes', async () => {
    const browser = fakeBrowser('granted', 'granted');
    await turnOn(ME, false, browser.env);
    const subscription = browser.current()!;
    await turnOff('tok', browser.env);
    expect(browser.requests.at(-1)).toEqual({ method: 'DELETE', path: '/v1/push/subscriptions', body: SUBSCRIPTION });
    expect(subscription.unsubscribe).toHaveBeenCalledOnce();
    expect(await pushState(browser.env)).toBe('off');
  });

  it('[N1] a refused permission subscribes nothing and says it is blocked; no Web Push: unsupported', async () => {
    const browser = fakeBrowser('denied');
    expect(await turnOn(ME, false, browser.env)).toBe('denied');
    expect(browser.subscribe).not.toHaveBeenCalled();
    expect(browser.requests).toEqual([]);
    expect(await pushState(browser.env)).toBe('denied');

    const none: PushEnvironment = { ...browser.env, pushManager: () => null };
    expect(await pushState(none)).toBe('unsupported');
    expect(await turnOn(ME, false, none)).toBe('unsupported');
  });

  it('[N1] a subscription made for another user of this device (logged out, or someone else logged in) ends at the next start', async () => {
    const browser = fakeBrowser('granted', 'granted');
    await turnOn(ME, false, browser.env);
    expect(localStorage.getItem(OWNER_KEY)).toBe('me');
    await forgetOthersSubscription('me', browser.env);
    expect(browser.current()).not.toBeNull();
    const subscription = browser.current()!;
    await forgetOthersSubscription('someone-else', browser.env);
    expect(subscription.unsubscribe).toHaveBeenCalledOnce();
    expect(browser.current()).toBeNull();
    expect(localStorage.getItem(OWNER_KEY)).toBeNull();
  });
});
