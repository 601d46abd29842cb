import { PRIMARY_BUTTON } from '../../shared/ui/buttons';
import { PlusIcon } from './icons';
import { LazyDialogButton } from './lazy-dialog-button';
import { loadNewRoomDialog } from './preload';

const NO_PROPS = {};

/** The sidebar's "New room" button (C9); the dialog (and Headless UI with it) is not on the first screen. */
export function NewRoomButton() {
  return (
    <LazyDialogButton load={loadNewRoomDialog} dialogProps={NO_PROPS} className={`${PRIMARY_BUTTON} w-full`}>
      <PlusIcon className="size-4" />
      New room
    </LazyDialogButton>
  );
}
