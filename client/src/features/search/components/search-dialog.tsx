import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { OUTLINE_BUTTON } from '../../../shared/ui/buttons';
import { Modal } from '../../../shared/ui/dialog';
import { SEARCH_FIELD, SEARCH_FIELD_ICON } from '../../../shared/ui/fields';
import { CloseIcon } from '../../../shared/ui/icons';
import { SearchIcon } from '../../../shared/ui/search-icon';
import type { SearchHit } from '../search-api';
import { useMessageSearch, type SearchSources } from '../use-message-search';
import { groupByRoom, HitList, hitOptionId, type HitNames } from './hit-list';

export interface SearchDialogProps {
  open: boolean;
  onClose: () => void;
  /** Searching one room (opened from its bar): shown as a chip that can be removed. */
  scope: { roomId: string; name: string } | null;
  onClearScope: () => void;
  sources: SearchSources;
  names: HitNames;
  onOpenHit: (hit: SearchHit) => void;
}

/** Q2: what the dialog says when the hits are this device's own. */
export const DEVICE_RESULTS_NOTICE = 'Results from this device (offline)';

/**
 * Q3: message search. Typing searches (once it pauses); the hits come
 * grouped by room; ↑/↓ move through them and Enter opens one, as a click
 * does. The field stays focused throughout (a combobox over the list).
 */
export function SearchDialog({ open, onClose, scope, onClearScope, sources, names, onOpenHit }: SearchDialogProps) {
  const [query, setQuery] = useState('');
  const search = useMessageSearch(query, scope?.roomId ?? null, sources);
  const groups = useMemo(() => groupByRoom(search.hits), [search.hits]);
  const ordered = useMemo(() => groups.flatMap((group) => group.hits.map((entry) => entry.hit)), [groups]);
  const [active, setActive] = useState(0);
  // A new search starts at its best hit (Load more keeps the place).
  const first = ordered[0]?.id ?? null;
  const [activeFor, setActiveFor] = useState(first);
  if (first !== activeFor) {
    setActiveFor(first);
    setActive(0);
  }
  const listId = useId();
  const inputId = useId();
  const shown = ordered.length > 0;

  useEffect(() => {
    if (shown) document.getElementById(hitOptionId(listId, active))?.scrollIntoView?.({ block: 'nearest' });
  }, [active, shown, listId]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!shown) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => Math.min(ordered.length - 1, Math.max(0, current + step)));
    } else if (event.key === 'Enter' && ordered[active]) {
      event.preventDefault();
      onOpenHit(ordered[active]);
    }
  };

  const q = query.trim();
  return (
    <Modal open={open} onClose={onClose} title="Search messages">
      <div className="flex flex-col gap-3">
        <div className="sticky top-0 z-10 -mx-1 flex flex-col gap-2 bg-surface px-1 pb-1">
          <div className="relative">
            <label htmlFor={inputId} className="sr-only">
              Search for
            </label>
            <SearchIcon className={SEARCH_FIELD_ICON} />
            <input
              id={inputId}
              data-autofocus
              type="search"
              role="combobox"
              aria-expanded={shown}
              aria-controls={listId}
              aria-autocomplete="list"
              aria-activedescendant={shown ? hitOptionId(listId, active) : undefined}
              autoComplete="off"
              enterKeyHint="search"
              placeholder={scope ? `Search in ${scope.name}` : 'Search all your rooms'}
              value={query}
              onChange={(event) => setQuery(event.target.value)}
              onKeyDown={onKeyDown}
              className={SEARCH_FIELD}
            />
          </div>
          {scope && (
            <span className="inline-flex w-fit max-w-full items-center gap-1 rounded-full bg-accent-soft py-0.5 pr-0.5 pl-3 text-sm text-accent-text">
              <span className="truncate">In {scope.name}</span>
              <button type="button" aria-label="Search all rooms instead" title="Search all rooms" onClick={onClearScope} className="grid size-7 shrink-0 place-items-center rounded-full hover:bg-accent/15">
                <CloseIcon className="size-4" />
              </button>
            </span>
          )}
        </div>
        <div role="status" className="text-sm text-ink-muted empty:hidden">
          {statusText(search.status, q, search.hits.length, search.error)}
          {search.status === 'done' && search.source === 'device' && (
            <span className="mt-1 block rounded-lg bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-400/10 dark:text-amber-200">
              {DEVICE_RESULTS_NOTICE}: the server can’t be reached, so only messages saved on this device were searched.
            </span>
          )}
        </div>
        {shown && <HitList id={listId} groups={groups} names={names} active={active} onActivate={setActive} onOpen={onOpenHit} />}
        {search.hasMore && (
          <button type="button" onClick={search.loadMore} disabled={search.loadingMore} className={`${OUTLINE_BUTTON} self-center`}>
            {search.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
        {search.status === 'done' && search.error && (
          <p role="alert" className="text-center text-sm text-red-700 dark:text-red-300">
            {search.error}
          </p>
        )}
      </div>
    </Modal>
  );
}

function statusText(status: string, q: string, count: number, error: string | null): string {
  if (status === 'idle') return 'Type words to find messages. "Quotes" find a phrase, -word leaves a word out.';
  if (status === 'loading' && count === 0) return 'Searching…';
  if (status === 'error') return error ?? 'Search is not working right now.';
  if (status === 'done' && count === 0) return `No messages match “${q}”.`;
  return '';
}
