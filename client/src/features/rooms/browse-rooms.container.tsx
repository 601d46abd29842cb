import { useCallback, useMemo } from 'react';
import { useLocation } from 'wouter';
import { useEngine } from '../../shared/sync/engine-context';
import { useRoomList } from '../../shared/sync/room-list';
import { BrowseRoomsDialog } from './components/browse-rooms-dialog';
import { roomPath } from './room-path';

/** The public rooms, from the server; joining goes through the outbox and opens the room at once. */
export function BrowseRoomsContainer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const engine = useEngine();
  const rooms = useRoomList();
  const [, navigate] = useLocation();
  // Stable: the dialog loads again whenever its load function changes.
  const load = useCallback(() => engine.publicRooms(), [engine]);
  const memberOf = useMemo(() => new Set((rooms ?? []).map((room) => room.id)), [rooms]);
  return (
    <BrowseRoomsDialog
      open={open}
      onClose={onClose}
      load={load}
      memberOf={memberOf}
      onJoin={async (roomId) => {
        await engine.joinRoom(roomId);
        onClose();
        navigate(roomPath(roomId));
      }}
      onOpen={onClose}
    />
  );
}
