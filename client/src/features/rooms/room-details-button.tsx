import { useMemo } from 'react';
import { ICON_BUTTON } from '../../shared/ui/buttons';
import { InfoIcon } from './icons';
import { LazyDialogButton } from './lazy-dialog-button';
import { loadRoomDetails } from './preload';

/** The room bar's details button; the panel (members, rename, add, remove, leave, delete) is loaded like the dialogs. */
export function RoomDetailsButton({ roomId }: { roomId: string }) {
  const dialogProps = useMemo(() => ({ roomId }), [roomId]);
  return (
    <LazyDialogButton load={loadRoomDetails} dialogProps={dialogProps} className={ICON_BUTTON} aria-label="Room details" title="Room details">
      <InfoIcon className="size-5" />
    </LazyDialogButton>
  );
}
