import { Combobox, ComboboxInput, ComboboxOption, ComboboxOptions, Field, Label } from '@headlessui/react';
import type { User } from '@whisper/protocol';
import { useEffect, useState } from 'react';
import { Avatar } from '../../../shared/ui/avatar';
import { SEARCH_FIELD, SEARCH_FIELD_ICON } from '../../../shared/ui/fields';
import { CloseIcon } from '../../../shared/ui/icons';
import { SearchIcon } from '../../../shared/ui/search-icon';

/** Typing pauses this long before the server is asked, so a name typed quickly is one request. */
export const SEARCH_DEBOUNCE_MS = 250;

export type SearchPeople = (query: string) => Promise<User[]>;

type SearchState =
  | { status: 'idle' }
  | { status: 'searching' }
  | { status: 'done'; people: User[] }
  | { status: 'failed' };

/**
 * People matching `query`, asked of the server (GET /v1/users?query=) once
 * typing pauses. An answer to an older query that arrives late is dropped.
 */
function usePeopleSearch(search: SearchPeople, query: string): SearchState {
  const [state, setState] = useState<SearchState>({ status: 'idle' });
  const trimmed = query.trim();
  useEffect(() => {
    if (trimmed === '') {
      setState({ status: 'idle' });
      return;
    }
    let current = true;
    setState({ status: 'searching' });
    const timer = setTimeout(() => {
      search(trimmed).then(
        (people) => current && setState({ status: 'done', people }),
        () => current && setState({ status: 'failed' }),
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [search, trimmed]);
  return state;
}

interface PickerBaseProps {
  /** The field's label ("Add people", "Person"). */
  label: string;
  search: SearchPeople;
  /** Never offered: people already in the room (and the server never returns you). */
  excludeIds?: readonly string[];
  /** Focus the search box when the picker appears. */
  autoFocus?: boolean;
}

export interface PeoplePickerProps extends PickerBaseProps {
  selected: readonly User[];
  onChange: (people: User[]) => void;
}

/**
 * Pick several people by name (a group's members): a Headless UI combobox
 * searching the server as you type, the picked people shown as chips above
 * it, each with a button to take them off again.
 */
export function PeoplePicker({ label, search, excludeIds = [], autoFocus, selected, onChange }: PeoplePickerProps) {
  const [query, setQuery] = useState('');
  const state = usePeopleSearch(search, query);
  const chosen = new Set(selected.map((person) => person.id));
  const shown = state.status === 'done' ? state.people.filter((person) => !excludeIds.includes(person.id)) : [];

  return (
    <Field className="flex flex-col gap-1.5">
      <Label className="text-sm font-medium">{label}</Label>
      {selected.length > 0 && (
        <ul aria-label="Chosen people" className="flex flex-wrap gap-1.5">
          {selected.map((person) => (
            <li key={person.id} className="flex items-center gap-1.5 rounded-full bg-accent-soft py-0.5 pr-0.5 pl-0.5 text-sm text-accent-text">
              <Avatar name={person.display_name} color={person.color} avatar={person.avatar} size="sm" className="size-6 text-[10px]" />
              <span className="max-w-40 truncate">{person.display_name}</span>
              <button
                type="button"
                aria-label={`Remove ${person.display_name}`}
                onClick={() => onChange(selected.filter((other) => other.id !== person.id))}
                className="grid size-7 place-items-center rounded-full hover:bg-accent/15"
              >
                <CloseIcon className="size-3.5" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <Combobox
        multiple
        by="id"
        value={selected as User[]}
        onChange={(people: User[]) => {
          onChange(people);
          setQuery('');
        }}
      >
        <SearchBox query={query} onQuery={setQuery} autoFocus={autoFocus} />
        <Results state={state} people={shown} isChosen={(person) => chosen.has(person.id)} />
      </Combobox>
    </Field>
  );
}

export interface PersonPickerProps extends PickerBaseProps {
  /** Called as soon as someone is picked (a DM starts with one person). */
  onPick: (person: User) => void;
}

/** Pick one person (to start a DM with): the same search, picking is choosing. */
export function PersonPicker({ label, search, excludeIds = [], autoFocus, onPick }: PersonPickerProps) {
  const [query, setQuery] = useState('');
  const state = usePeopleSearch(search, query);
  const shown = state.status === 'done' ? state.people.filter((person) => !excludeIds.includes(person.id)) : [];
  return (
    <Field className="flex flex-col gap-1.5">
      <Label className="text-sm font-medium">{label}</Label>
      <Combobox<User | null>
        value={null}
        by="id"
        onChange={(person) => {
          if (person) onPick(person);
        }}
      >
        <SearchBox query={query} onQuery={setQuery} autoFocus={autoFocus} />
        <Results state={state} people={shown} isChosen={() => false} />
      </Combobox>
    </Field>
  );
}

function SearchBox({ query, onQuery, autoFocus }: { query: string; onQuery: (query: string) => void; autoFocus?: boolean }) {
  return (
    <div className="relative">
      <SearchIcon className={SEARCH_FIELD_ICON} />
      <ComboboxInput
        autoFocus={autoFocus}
        autoComplete="off"
        placeholder="Search people by name"
        value={query}
        onChange={(event) => onQuery(event.target.value)}
        className={SEARCH_FIELD}
      />
    </div>
  );
}

function Results({ state, people, isChosen }: { state: SearchState; people: User[]; isChosen: (person: User) => boolean }) {
  if (state.status === 'idle') return null;
  const message =
    state.status === 'searching'
      ? 'Searching…'
      : state.status === 'failed'
        ? 'Can’t search for people right now. Check your connection and try again.'
        : people.length === 0
          ? 'No one found by that name.'
          : null;
  return (
    <>
      {/* Said out loud too: the list of matches alone would leave a screen reader guessing. */}
      <p role="status" className={message ? 'px-1 text-sm text-ink-muted' : 'sr-only'}>
        {message ?? `${people.length} ${people.length === 1 ? 'person' : 'people'} found`}
      </p>
      {people.length > 0 && (
        <ComboboxOptions static className="flex max-h-64 flex-col overflow-y-auto rounded-lg border border-line bg-surface p-1">
          {people.map((person) => (
            <ComboboxOption
              key={person.id}
              value={person}
              className="group flex min-h-11 cursor-pointer items-center gap-3 rounded-md px-2 py-1.5 text-[15px] data-focus:bg-surface-muted"
            >
              <Avatar name={person.display_name} color={person.color} avatar={person.avatar} size="sm" />
              <span className="min-w-0 flex-1 truncate">{person.display_name}</span>
              {isChosen(person) && <span className="text-xs font-medium text-accent-text">Added</span>}
            </ComboboxOption>
          ))}
        </ComboboxOptions>
      )}
    </>
  );
}
