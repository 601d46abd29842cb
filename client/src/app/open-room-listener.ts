import { useEffect } from 'react';
import { useLocation } from 'wouter';
import { roomPath } from '../features/rooms';

/** What the service worker posts when a notification is clicked (sw/push.ts, OPEN_ROOM_MESSAGE). */
const OPEN_ROOM_MESSAGE = 'OPEN_ROOM';

/** Whether a service worker message asks to open a room, and which. */
export function roomToOpen(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, room_id: roomId } = data as { type?: unknown; room_id?: unknown };
  return type === OPEN_ROOM_MESSAGE && typeof roomId === 'string' && roomId !== '' ? roomId : null;
}

/**
 * N1: a click on a notification while the app is open: the service worker
 * focuses this window and asks it to open the room. The router moves there
 * without a reload, so the outbox and the composer's draft stay as they are.
 * (With no window open the worker opens `/rooms/<id>`, which the routes
 * take as any address.)
 */
export function useOpenRoomFromNotifications(): void {
  const [location, navigate] = useLocation();
  useEffect(() => {
    const container = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
    if (!container) return;
    const onMessage = (event: MessageEvent) => {
      const roomId = roomToOpen(event.data);
      if (roomId !== null && roomPath(roomId) !== location) navigate(roomPath(roomId));
    };
    container.addEventListener('message', onMessage);
    return () => container.removeEventListener('message', onMessage);
  }, [location, navigate]);
}

/** Mounted once start-up is over (start-up-later.ts): nothing to show, it only listens. */
export function OpenRoomListener() {
  useOpenRoomFromNotifications();
  return null;
}
