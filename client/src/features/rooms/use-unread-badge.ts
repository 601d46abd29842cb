import { useEffect } from 'react';
import type { RoomListItem } from '../../shared/sync/room-list';

/** The tab's own title, without a count. */
const TITLE = 'Whisper';

/**
 * L3, M6: everything unread, on the installed app's icon
 * (navigator.setAppBadge, where the browser has it) and in the tab's title,
 * "(3) Whisper", so a tab in the background says there is something new.
 * Fed by the room list's own read (the list stays mounted once start-up is
 * over, a room on top of it or not), rather than a second live query of
 * the same tables.
 */
export function useUnreadBadge(rooms: readonly RoomListItem[] | undefined) {
  // N1: muted rooms keep their counts in the list, in grey, but stay out of the total (as WhatsApp and Telegram do).
  const total = rooms?.reduce((sum, room) => sum + (room.state === 'synced' && !room.muted ? room.unread : 0), 0) ?? 0;
  useEffect(() => {
    document.title = total > 0 ? `(${total}) ${TITLE}` : TITLE;
    const badge = navigator as Navigator & { setAppBadge?: (count: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
    // Not every browser has badges, and a page that is not installed may be refused: it is only a hint.
    try {
      const done = total > 0 ? badge.setAppBadge?.(total) : badge.clearAppBadge?.();
      done?.catch(() => undefined);
    } catch {
      // As above.
    }
  }, [total]);
  useEffect(() => () => void (document.title = TITLE), []);
}
