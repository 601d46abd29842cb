import { PUSH_PATH, type PushKeyResponse, type PushSubscriptionBody } from '@whisper/protocol';
import { OWNER_KEY, readText, writeText } from './device-flags';

/**
 * N1, N2 on the device: opting in to Web Push and out again. On: the
 * browser's permission, a PushSubscription for the server's VAPID key
 * (`userVisibleOnly`: every push shows a notification), and the
 * subscription posted with the user's choice of previews. Off: the server
 * forgets it, and so does the browser.
 */

const SUBSCRIPTIONS_PATH = `${PUSH_PATH}/subscriptions`;

/** What this needs of the browser, so the tests can stand in for it. */
export interface PushEnvironment {
  /** null: no Web Push here (no service worker, PushManager or Notification): the options are hidden. */
  pushManager(): Promise<PushManager> | null;
  permission(): NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  fetch: typeof fetch;
}

export const browserPush: PushEnvironment = {
  pushManager: () =>
    typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined'
      ? navigator.serviceWorker.ready.then((registration) => registration.pushManager)
      : null,
  permission: () => Notification.permission,
  requestPermission: () => Notification.requestPermission(),
  fetch: (...args) => fetch(...args),
};

export function pushSupported(env: PushEnvironment = browserPush): boolean {
  return env.pushManager() !== null;
}

/** The server's VAPID key (base64url) as applicationServerKey takes it. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

export class PushApiError extends Error {
  constructor(readonly status: number) {
    super(`push: HTTP ${status}`);
    this.name = 'PushApiError';
  }
}

async function call<T>(env: PushEnvironment, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await env.fetch(path, {
    method,
    headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new PushApiError(response.status);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

function bodyOf(subscription: PushSubscription, previews?: boolean): PushSubscriptionBody {
  const { endpoint, keys, expirationTime } = subscription.toJSON();
  return { endpoint: endpoint ?? subscription.endpoint, expirationTime: expirationTime ?? null, keys: { p256dh: keys?.p256dh ?? '', auth: keys?.auth ?? '' }, ...(previews === undefined ? {} : { previews }) };
}

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

/** Whether this device gets notifications now (a subscription, and the permission to show them). */
export async function pushState(env: PushEnvironment = browserPush): Promise<PushState> {
  const manager = env.pushManager();
  if (!manager) return 'unsupported';
  if (env.permission() === 'denied') return 'denied';
  const subscription = await (await manager).getSubscription();
  return subscription && env.permission() === 'granted' ? 'on' : 'off';
}

/**
 * Turns notifications on: asks for the permission (only ever from a click:
 * never on load), subscribes with the server's key and posts the
 * subscription. Answers the state it ends in ('denied': the user said no,
 * now or before; 'off': they closed the prompt).
 */
export async function turnOn({ token, userId }: { token: string; userId: string }, previews: boolean, env: PushEnvironment = browserPush): Promise<PushState> {
  const manager = env.pushManager();
  if (!manager) return 'unsupported';
  const permission = env.permission() === 'granted' ? 'granted' : await env.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const { key } = await call<PushKeyResponse>(env, token, 'GET', `${PUSH_PATH}/key`);
  const pushManager = await manager;
  const subscription = (await pushManager.getSubscription()) ?? (await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
  await call(env, token, 'POST', SUBSCRIPTIONS_PATH, bodyOf(subscription, previews));
  writeText(OWNER_KEY, userId);
  return 'on';
}

/** N2: the same subscription again with the new choice (the server replaces it). */
export async function setPreviews(token: string, previews: boolean, env: PushEnvironment = browserPush): Promise<void> {
  const subscription = await (await env.pushManager())?.getSubscription();
  if (subscription) await call(env, token, 'POST', SUBSCRIPTIONS_PATH, bodyOf(subscription, previews));
}

/** Turns notifications off: the server forgets the subscription, then the browser does. */
export async function turnOff(token: string, env: PushEnvironment = browserPush): Promise<void> {
  const subscription = await (await env.pushManager())?.getSubscription();
  if (!subscription) return;
  await call(env, token, 'DELETE', SUBSCRIPTIONS_PATH, bodyOf(subscription));
  await subscription.unsubscribe();
}

/**
 * N1: a subscription made for another user of this device (they logged out,
 * or someone else logged in) ends here too: the server dropped its copy with
 * that session, and the browser's would otherwise show this user as
 * subscribed. Run once the app has started.
 */
export async function forgetOthersSubscription(userId: string, env: PushEnvironment = browserPush): Promise<void> {
  if (readText(OWNER_KEY) === userId) return;
  const subscription = await (await env.pushManager())?.getSubscription();
  if (!subscription) return;
  await subscription.unsubscribe();
  writeText(OWNER_KEY, null);
}
