import { QUIET_BUTTON } from '../../shared/ui/buttons';
import { CompassIcon } from './icons';
import { LazyDialogButton } from './lazy-dialog-button';
import { loadBrowseRooms } from './preload';

const NO_PROPS = {};

/** "Browse public rooms", its dialog loaded like the New room one. */
export function BrowseRoomsButton() {
  return (
    <LazyDialogButton load={loadBrowseRooms} dialogProps={NO_PROPS} className={`${QUIET_BUTTON} w-full justify-start`}>
      <CompassIcon className="size-4" />
      Browse public rooms
    </LazyDialogButton>
  );
}
