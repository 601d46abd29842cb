import { useEffect } from 'react';
import { useRoomList } from '../shared/sync/room-list';

/** The tab's own title, without a count. */
const TITLE = 'Whisper';

/**
 * L3, M6: everything unread, on the installed app's icon
 * (navigator.setAppBadge, where the browser has it) and in the tab's title,
 * "(3) Whisper", so a tab in the background says there is something new.
 */
export function UnreadBadge() {
  const rooms = useRoomList();
  const total = rooms?.reduce((sum, room) => sum + (room.state === 'synced' ? room.unread : 0), 0) ?? 0;
  useEffect(() => {
    document.title = total > 0 ? `(${total}) ${TITLE}` : TITLE;
    const badge = navigator as Navigator & { setAppBadge?: (count: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
    // Not every browser has badges, and an uninstalled page may be refused: it is only a hint.
    const done = total > 0 ? badge.setAppBadge?.(total) : badge.clearAppBadge?.();
    done?.catch(() => undefined);
  }, [total]);
  useEffect(() => () => void (document.title = TITLE), []);
  return null;
}
