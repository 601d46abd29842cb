import type { Room, User } from '@whisper/protocol';
import { useCallback, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { OUTLINE_BUTTON, PRIMARY_BUTTON } from '../../../shared/ui/buttons';
import { Modal } from '../../../shared/ui/dialog';
import { SEARCH_FIELD, SEARCH_FIELD_ICON } from '../../../shared/ui/fields';
import { formatListTime } from '../../../shared/ui/format-time';
import { SearchIcon } from '../../../shared/ui/search-icon';
import { RoomIcon } from '../../../shared/ui/room-icon';
import { roomPath } from '../room-path';

export interface BrowseRoomsDialogProps {
  open: boolean;
  onClose: () => void;
  /** GET /v1/rooms?discover=public; rejects when offline or the server is unreachable. */
  load: () => Promise<{ rooms: Room[]; users: User[] }>;
  /** Rooms the user is in already: they get "Open" instead of "Join". */
  memberOf: ReadonlySet<string>;
  /** Joins (member.add with your own id, through the outbox) and opens the room. */
  onJoin: (roomId: string) => void;
  /** An "Open" link was followed. */
  onOpen: () => void;
}

type LoadState = { status: 'loading' } | { status: 'failed' } | { status: 'done'; rooms: Room[] };

function memberCountText(count: number): string {
  return `${count} ${count === 1 ? 'member' : 'members'}`;
}

/**
 * "Browse public rooms": every public room anyone may join, most active
 * first, filtered by name as you type, each with Join (or Open where you are
 * in it already). Needs the server; offline it says so and offers to retry.
 */
export function BrowseRoomsDialog({ open, onClose, load, memberOf, onJoin, onOpen }: BrowseRoomsDialogProps) {
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const [filter, setFilter] = useState('');
  const filterId = useId();

  const fetchRooms = useCallback(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      ({ rooms }) => current && setState({ status: 'done', rooms: [...rooms].sort((a, b) => b.last_activity_at.localeCompare(a.last_activity_at)) }),
      () => current && setState({ status: 'failed' }),
    );
    return () => {
      current = false;
    };
  }, [load]);
  useEffect(() => (open ? fetchRooms() : undefined), [open, fetchRooms]);

  const needle = filter.trim().toLowerCase();
  const rooms = state.status === 'done' ? state.rooms.filter((room) => room.name.toLowerCase().includes(needle)) : [];

  return (
    <Modal open={open} onClose={onClose} title="Browse public rooms" description="Public rooms are open to everyone.">
      <div className="flex flex-col gap-3">
        <div className="relative">
          <label htmlFor={filterId} className="sr-only">
            Filter rooms by name
          </label>
          <SearchIcon className={SEARCH_FIELD_ICON} />
          <input
            id={filterId}
            data-autofocus
            type="search"
            autoComplete="off"
            placeholder="Filter by name"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            className={SEARCH_FIELD}
          />
        </div>
        <div role="status" className="text-sm text-ink-muted">
          {state.status === 'loading' && 'Loading public rooms…'}
          {state.status === 'failed' && (
            <span className="flex flex-wrap items-center gap-2">
              Can’t load public rooms without a connection to the server.
              <button type="button" onClick={fetchRooms} className={OUTLINE_BUTTON}>
                Try again
              </button>
            </span>
          )}
          {state.status === 'done' && rooms.length === 0 && (needle ? 'No public room has that name.' : 'There are no public rooms yet.')}
        </div>
        {rooms.length > 0 && (
          <ul aria-label="Public rooms" className="-mx-2 flex flex-col">
            {rooms.map((room) => {
              const member = memberOf.has(room.id);
              return (
                <li key={room.id} className="flex min-h-16 items-center gap-3 rounded-xl px-2 py-2">
                  <RoomIcon kind="public" name={room.name} />
                  <div className="flex min-w-0 flex-1 flex-col">
                    <span className="truncate text-[15px] font-medium">{room.name}</span>
                    <span className="truncate text-xs text-ink-muted">
                      {memberCountText(room.member_count)}
                      {room.last_message && ` · last message ${formatListTime(room.last_activity_at)}`}
                    </span>
                  </div>
                  {member ? (
                    <Link href={roomPath(room.id)} onClick={onOpen} aria-label={`Open ${room.name}`} className={OUTLINE_BUTTON}>
                      Open
                    </Link>
                  ) : (
                    <button type="button" onClick={() => onJoin(room.id)} aria-label={`Join ${room.name}`} className={PRIMARY_BUTTON}>
                      Join
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Modal>
  );
}
