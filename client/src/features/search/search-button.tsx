import { ICON_BUTTON } from '../../shared/ui/buttons';
import { SearchIcon } from '../../shared/ui/search-icon';
import { openSearch } from './open-search';

/** Q3: the magnifier: search every room (the sidebar), or, in a room's bar, that room. */
export function SearchButton({ roomId = null }: { roomId?: string | null }) {
  const label = roomId ? 'Search in this room' : 'Search messages (Ctrl+K)';
  return (
    <button type="button" aria-haspopup="dialog" aria-label={label} title={label} onClick={() => openSearch(roomId)} className={ICON_BUTTON}>
      <SearchIcon className="size-5" />
    </button>
  );
}
