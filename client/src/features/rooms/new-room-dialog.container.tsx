import { useLocation } from 'wouter';
import { useEngine } from '../../shared/sync/engine-context';
import { NewRoomDialog } from './components/new-room-dialog';
import { roomPath } from './room-path';
import { useSearchPeople } from './use-search-people';

/** The "New room" dialog wired to the engine: the room is created (offline too) and opened at once. */
export function NewRoomDialogContainer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const engine = useEngine();
  const [, navigate] = useLocation();
  const search = useSearchPeople();
  return (
    <NewRoomDialog
      open={open}
      onClose={onClose}
      search={search}
      onCreate={async (input) => {
        const roomId = await engine.createRoom(input);
        onClose();
        navigate(roomPath(roomId));
      }}
      onStartDm={async (userId) => {
        const roomId = await engine.openDm(userId);
        onClose();
        navigate(roomPath(roomId));
      }}
    />
  );
}
