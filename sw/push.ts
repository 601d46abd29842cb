/// <reference lib="webworker" />
/**
 * N1: Web Push in the service worker. A `msg` push shows (or replaces) the
 * room's notification, one per room (its tag), and sets the app badge to
 * the unread count it carries; a `read` push (the room was read on another
 * device) closes the room's notification and sets the badge. Clicking a
 * notification brings an open window of the app to that room, or opens one.
 *
 * Chrome subscribes with userVisibleOnly: a push that shows nothing may earn
 * a generic "updated in the background" notice. The server sends a `read`
 * push only to a device it notified of that room and has not cleared since,
 * so there is normally a notification to close.
 */
import { PushKind, type PushPayload } from '@whisper/protocol';

declare const self: ServiceWorkerGlobalScope;

/** What the page hears when a notification is clicked: open this room (client/src/app). */
export const OPEN_ROOM_MESSAGE = 'OPEN_ROOM';

const ICON = '/icon-192.png';
const BADGE = '/icon-192.png';

const roomUrl = (roomId: string) => `/rooms/${encodeURIComponent(roomId)}`;

type AppBadge = { setAppBadge?: (count?: number) => Promise<void>; clearAppBadge?: () => Promise<void> };

async function setBadge(unread: number): Promise<void> {
  const badge = self.navigator as WorkerNavigator & AppBadge;
  try {
    await (unread > 0 ? badge.setAppBadge?.(unread) : badge.clearAppBadge?.());
  } catch {
    // Not installed, or not allowed: the badge is a nicety.
  }
}

function parse(event: PushEvent): PushPayload | null {
  try {
    const payload = event.data?.json() as PushPayload | undefined;
    return payload && typeof payload.r === 'string' && (payload.t === PushKind.Message || payload.t === PushKind.Read) ? payload : null;
  } catch {
    return null;
  }
}

async function closeRoom(roomId: string, readSeq: number): Promise<void> {
  for (const notification of await self.registration.getNotifications({ tag: roomId })) {
    const seq = (notification.data as { seq?: number } | null)?.seq ?? 0;
    if (seq <= readSeq) notification.close();
  }
}

self.addEventListener('push', (event) => {
  const payload = parse(event);
  if (!payload) return;
  const work =
    payload.t === PushKind.Message
      ? self.registration.showNotification(payload.n, {
          body: payload.b,
          tag: payload.r,
          renotify: true,
          data: { room_id: payload.r, seq: payload.s },
          icon: ICON,
          badge: BADGE,
        } as NotificationOptions)
      : closeRoom(payload.r, payload.s);
  event.waitUntil(Promise.all([work, setBadge(payload.u)]));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const roomId = (event.notification.data as { room_id?: unknown } | null)?.room_id;
  if (typeof roomId !== 'string') return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        // The page's router moves to the room (no reload: the outbox and the composer stay).
        open.postMessage({ type: OPEN_ROOM_MESSAGE, room_id: roomId });
        await open.focus();
        return;
      }
      await self.clients.openWindow(roomUrl(roomId));
    })(),
  );
});
