import { useEffect, type ReactNode } from 'react';
import { BrowseRoomsButton, NewRoomButton, preloadRoomDialogs, RoomListContainer } from '../features/rooms';
import { AfterStartUp } from './after-start-up';
import { Brand } from './brand';
import { OPENED_FROM_LIST } from './navigation';

export interface SidebarProps {
  /** Bottom slot (who you are); nothing is rendered when absent. */
  footer?: ReactNode;
}

/**
 * The sidebar: the brand, "New room" (C9), the user's rooms (a navigation
 * named "Rooms", M6), "Browse public rooms", and the footer slot. On a phone
 * it is the home screen; from `md` up it is the left pane beside the room.
 */
export function Sidebar({ footer }: SidebarProps) {
  return (
    <div className="flex min-h-full flex-col gap-4 px-3 py-4">
      <div className="flex items-center justify-between gap-2 px-2">
        <Brand />
      </div>
      <div className="px-1">
        <NewRoomButton />
      </div>
      <RoomListContainer linkState={OPENED_FROM_LIST} />
      <div className="px-1">
        <BrowseRoomsButton />
      </div>
      {footer !== undefined && <div className="mt-auto px-2">{footer}</div>}
      <AfterStartUp>
        <PreloadRoomDialogs />
      </AfterStartUp>
    </div>
  );
}

/**
 * Once start-up has settled, fetches the rooms dialogs' code (kept out of the
 * first screen), so they open at once, and offline too.
 */
function PreloadRoomDialogs() {
  useEffect(() => preloadRoomDialogs(), []);
  return null;
}
