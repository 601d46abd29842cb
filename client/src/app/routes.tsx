import { DEFAULT_ROOM_ID } from '@whisper/protocol';
import { Redirect, Route, Switch } from 'wouter';
import { WhisperChatPage } from '../features/chat/whisper-chat.page';
import { RoomDetailsButton, roomPath, ROOM_PATH_PATTERN } from '../features/rooms';
import { useBackToList, useIsDesktop } from './navigation';
import { NotFound } from './not-found';

/** The seed's address of its one chat room; it leads to `general` now. */
const CHAT_PATH = '/chat';

/**
 * One URL per room (`/rooms/{id}`), so reloads and back/forward work. `/`
 * is the room list on a phone (the sidebar, shown alone); a desktop shows
 * the list beside a room at all times, so there it opens `general`. The
 * seed's `/chat` is `general` too.
 */
export function AppRoutes() {
  return (
    <Switch>
      <Route path="/">
        <Home />
      </Route>
      <Route path={CHAT_PATH}>
        <Redirect to={roomPath(DEFAULT_ROOM_ID)} replace />
      </Route>
      <Route path={ROOM_PATH_PATTERN}>{(params) => <RoomRoute roomId={params.roomId} />}</Route>
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

function Home() {
  const desktop = useIsDesktop();
  return desktop ? <Redirect to={roomPath(DEFAULT_ROOM_ID)} replace /> : null;
}

/**
 * A room page, keyed by room so each starts afresh (its window, scroll and
 * draft), with the rooms feature's details button in its bar.
 */
function RoomRoute({ roomId }: { roomId: string }) {
  const back = useBackToList();
  return <WhisperChatPage key={roomId} roomId={roomId} onBack={back} headerActions={<RoomDetailsButton roomId={roomId} />} />;
}
