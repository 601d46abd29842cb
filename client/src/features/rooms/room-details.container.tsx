import { useMemo } from 'react';
import { useLocation } from 'wouter';
import { useEngine } from '../../shared/sync/engine-context';
import { setRoomMuted } from '../../shared/sync/mute-store';
import { useRoom } from '../../shared/sync/room-view';
import { useOnlineAmong } from '../../shared/sync/use-presence';
import { useLinkStatus } from '../../shared/sync/use-link-status';
import { RoomDetailsPanel } from './components/room-details';
import { useSearchPeople } from './use-search-people';

const NOBODY: readonly string[] = [];

/**
 * The details panel wired to the engine. Leaving or deleting takes the user
 * out of the room (to the list on a phone, `general` on a desktop); the
 * room itself goes from the list once the change is written.
 */
export function RoomDetailsContainer({ roomId, open, onClose }: { roomId: string; open: boolean; onClose: () => void }) {
  const engine = useEngine();
  const room = useRoom(roomId);
  const [, navigate] = useLocation();
  const search = useSearchPeople();
  // L1: others as presence tells; this user is online whenever the link is live.
  const others = useOnlineAmong(room?.members.map((member) => member.id) ?? NOBODY);
  const { live } = useLinkStatus();
  const me = room?.members.find((member) => member.isMe)?.id;
  const online = useMemo(() => (live && me ? new Set([...others, me]) : others), [others, live, me]);
  if (!room) return null;
  const goAway = () => {
    onClose();
    navigate('/', { replace: true });
  };
  return (
    <RoomDetailsPanel
      open={open}
      onClose={onClose}
      room={room}
      search={search}
      online={online}
      onRename={(name) => void engine.renameRoom(roomId, name)}
      onMute={(muted) => void setRoomMuted(engine.db, engine.store, roomId, muted)}
      onAddPeople={(userIds) => void engine.addMembers(roomId, userIds)}
      onRemove={(userId) => void engine.removeMember(roomId, userId)}
      onLeave={() => {
        void engine.leaveRoom(roomId);
        goAway();
      }}
      onDelete={() => {
        void engine.deleteRoom(roomId);
        goAway();
      }}
    />
  );
}
