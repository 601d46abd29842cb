import { DEFAULT_ROOM_ID } from '@whisper/protocol';
import { Redirect, Route, Switch } from 'wouter';
import { WhisperChatPage } from '../features/chat/whisper-chat.page';
import { RoomDetailsButton, roomPath, ROOM_PATH_PATTERN } from '../features/rooms';
import { LaterSearchButton } from './deferred';
import { useBackToList, useIsDesktop } from './navigation';
import { NotFound } from './not-found';

/** The seed's address of its one chat room (and the manifest's start_url); it leads to `general` now. */
const CHAT_PATH = '/chat';

/**
 * A page opened at /chat (the installed app starts there) goes to `general`
 * before the app first renders, as the route below would: replaced, not
 * pushed. So the shell renders once, at the room's address, instead of once
 * at /chat and again after the redirect. Called by the app's module (app.tsx).
 */
export function leaveSeedAddress(): void {
  if (typeof window !== 'undefined' && window.location.pathname === CHAT_PATH) {
    window.history.replaceState(null, '', roomPath(DEFAULT_ROOM_ID) + window.location.search + window.location.hash);
  }
}

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
      <Route path={ROOM_PATH_PATTERN}>{(params) => <RoomRoute roomId={params.roomId} seq={Number(params.seq) || undefined} />}</Route>
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
 * draft), with search in the room and the rooms feature's details button in
 * its bar; at the message its address names (a search hit, Q3).
 */
function RoomRoute({ roomId, seq }: { roomId: string; seq?: number }) {
  const back = useBackToList();
  return (
    <WhisperChatPage
      key={roomId}
      roomId={roomId}
      onBack={back}
      focusSeq={seq}
      // The message shown, the address is the room's again: opening the same hit again shows it again.
      onFocused={() => history.replaceState(history.state, '', roomPath(roomId))}
      headerActions={
        <>
          <LaterSearchButton roomId={roomId} />
          <RoomDetailsButton roomId={roomId} />
        </>
      }
    />
  );
}
