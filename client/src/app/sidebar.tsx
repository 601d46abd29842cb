import { useEffect, useState, type ReactNode } from 'react';
import { BrowseRoomsButton, loadRoomList, NewRoomButton } from '../features/rooms';
import { AfterStartUp } from './after-start-up';
import { LaterSearchButton, useChunk } from './deferred';
import { Brand } from './brand';
import { OPENED_FROM_LIST } from './navigation';

export interface SidebarProps {
  /** Bottom slot (who you are); nothing is rendered when absent. */
  footer?: ReactNode;
  /**
   * Whether the sidebar is on screen (default true). A phone showing a room
   * hides it: then the room list (its live query, its rows) waits until
   * start-up has settled, and stays mounted from then on.
   */
  shown?: boolean;
}

/**
 * The sidebar: the brand and message search (Q3), "New room" (C9), the user's rooms (a navigation
 * named "Rooms", M6), "Browse public rooms", and the footer slot. On a phone
 * it is the home screen; from `md` up it is the left pane beside the room.
 */
export function Sidebar({ footer, shown = true }: SidebarProps) {
  return (
    <div className="flex min-h-full flex-col gap-4 px-3 py-4">
      <div className="flex items-center justify-between gap-2 px-2">
        <Brand />
        <LaterSearchButton />
      </div>
      <div className="px-1">
        <NewRoomButton />
      </div>
      <MountWhenShown shown={shown}>
        <RoomList />
      </MountWhenShown>
      <div className="px-1">
        <BrowseRoomsButton />
      </div>
      {footer !== undefined && <div className="mt-auto px-2">{footer}</div>}
    </div>
  );
}

/** The room list (M6), its code fetched when it is first mounted (useChunk). */
function RoomList() {
  const RoomListContainer = useChunk(loadRoomList);
  return RoomListContainer ? <RoomListContainer linkState={OPENED_FROM_LIST} /> : null;
}

/**
 * Its children from the first time they are shown, or once start-up has
 * settled if that comes first; never unmounted again (the list keeps its
 * scroll position and its data while a room covers it).
 */
function MountWhenShown({ shown, children }: { shown: boolean; children: ReactNode }) {
  const [mounted, setMounted] = useState(shown);
  if (shown && !mounted) setMounted(true);
  if (mounted) return children;
  return (
    <AfterStartUp>
      <OnMount run={() => setMounted(true)} />
    </AfterStartUp>
  );
}

function OnMount({ run }: { run: () => void }) {
  useEffect(run, [run]);
  return null;
}
