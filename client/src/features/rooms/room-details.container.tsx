import { useLocation } from 'wouter';
import { useEngine } from '../../shared/sync/engine-context';
import { useRoom } from '../../shared/sync/room-view';
import { RoomDetailsPanel } from './components/room-details';
import { useSearchPeople } from './use-search-people';

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
      onRename={(name) => void engine.renameRoom(roomId, name)}
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
