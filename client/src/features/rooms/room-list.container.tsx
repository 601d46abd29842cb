import { useCallback } from 'react';
import { useRoute } from 'wouter';
import { useEngine } from '../../shared/sync/engine-context';
import { useUser } from '../../shared/sync/people';
import { usePresence } from '../../shared/sync/use-presence';
import { useRoomList, type RoomListItem } from '../../shared/sync/room-list';
import { WithPresence } from '../../shared/ui/presence-dot';
import { RoomIcon } from '../../shared/ui/room-icon';
import { RoomList } from './components/room-list';
import { ROOM_PATH_PATTERN } from './room-path';
import { useUnreadBadge } from './use-unread-badge';

/** A DM's picture: the other person's avatar, in their colour once their profile is known, with a dot while they are online (L1, M6). */
function PartnerIcon({ room }: { room: RoomListItem }) {
  const partner = useUser(room.otherUserId);
  const presence = usePresence(room.otherUserId);
  return (
    <WithPresence online={presence?.status === 'online'}>
      <RoomIcon kind="dm" name={room.name} color={partner?.color} avatar={partner?.avatar} />
    </WithPresence>
  );
}

function renderIcon(room: RoomListItem) {
  return room.kind === 'dm' ? <PartnerIcon room={room} /> : <RoomIcon kind={room.kind} name={room.name} />;
}

/** The sidebar's room list (M6), live from IndexedDB, the open room marked; the unread total on the badge and title (L3). */
export function RoomListContainer({ linkState }: { linkState?: unknown }) {
  const engine = useEngine();
  const rooms = useRoomList();
  useUnreadBadge(rooms);
  const [, params] = useRoute<{ roomId: string }>(ROOM_PATH_PATTERN);
  const retry = useCallback((clientId: string) => void engine.retry(clientId), [engine]);
  const remove = useCallback((clientId: string) => void engine.remove(clientId), [engine]);
  return (
    <RoomList
      rooms={rooms}
      activeRoomId={params?.roomId ?? null}
      linkState={linkState}
      onRetry={retry}
      onDelete={remove}
      renderIcon={renderIcon}
    />
  );
}
