import { memo, useId, type ReactNode } from 'react';
import { Link } from 'wouter';
import { DANGER_QUIET_BUTTON, QUIET_BUTTON } from '../../../shared/ui/buttons';
import { formatListTime } from '../../../shared/ui/format-time';
import { BellOffIcon, ClockIcon, RetryIcon, TrashIcon, WarningIcon } from '../../../shared/ui/icons';
import { RoomIcon, type RoomKind } from '../../../shared/ui/room-icon';
import { roomPath } from '../room-path';

/** What a row needs of a room; the data layer's RoomListItem (shared/sync/room-list.ts) has all of it. */
export interface RoomListEntry {
  id: string;
  kind: RoomKind;
  /** As shown: a DM's is the other person's display name. */
  name: string;
  /** Null: sent by you. */
  lastMessage: { text: string; senderName: string | null; at: string } | null;
  unread: number;
  activityAt: string;
  state: 'synced' | 'pending' | 'failed';
  failure: { clientId: string; reason: string } | null;
  /** N1: muted by the user: a struck bell, and the unread count in grey. */
  muted?: boolean;
}

export interface RoomListProps<T extends RoomListEntry = RoomListEntry> {
  /** Sorted by activity, newest first (the hook's order); undefined while IndexedDB is read. */
  rooms: readonly T[] | undefined;
  /** The room on screen, marked `aria-current="page"`. */
  activeRoomId: string | null;
  /** History state for the links' entries (the app marks rooms opened from the list, for its back button). */
  linkState?: unknown;
  /** A failed room's creation, sent again under the same client_id. */
  onRetry: (clientId: string) => void;
  /** A failed room's creation, dropped from the outbox. */
  onDelete: (clientId: string) => void;
  /** The room's picture; the default draws RoomIcon without a DM partner's colour. */
  renderIcon?: (room: T) => ReactNode;
  /** "Now" for the times of last activity (tests pin it). */
  now?: Date;
}

/** Badges stop counting here ("99+"), as in most chat apps. */
const MAX_BADGE = 99;

/**
 * The user's rooms (M6): a navigation landmark named "Rooms" whose links are
 * named exactly after the rooms (C9). Each row shows the room's picture, the
 * last message ("You: …" / "Ana: …"), when it was, and the unread count; all
 * of that is the link's description (aria-describedby), never its name, so
 * "general" stays "general" however many messages wait in it.
 */
export function RoomList<T extends RoomListEntry>({ rooms, activeRoomId, linkState, onRetry, onDelete, renderIcon, now }: RoomListProps<T>) {
  const headingId = useId();
  return (
    <nav aria-labelledby={headingId} className="flex flex-col">
      <h2 id={headingId} className="px-3 pb-1 text-xs font-semibold tracking-wide text-ink-muted uppercase">
        Rooms
      </h2>
      {rooms === undefined ? (
        <p className="px-3 py-2 text-sm text-ink-muted">Loading rooms…</p>
      ) : rooms.length === 0 ? (
        <p className="px-3 py-2 text-sm text-ink-muted">No rooms yet. Start one with “New room”.</p>
      ) : (
        <ul className="flex flex-col gap-0.5">
          {rooms.map((room) => (
            <RoomRow
              key={room.id}
              room={room}
              active={room.id === activeRoomId}
              linkState={linkState}
              onRetry={onRetry}
              onDelete={onDelete}
              icon={renderIcon ? renderIcon(room) : <RoomIcon kind={room.kind} name={room.name} />}
              now={now}
            />
          ))}
        </ul>
      )}
    </nav>
  );
}

/** "You: hi", "Ana: hi"; in a DM the other person's messages need no name (the room is theirs). */
export function previewText(room: Pick<RoomListEntry, 'kind' | 'lastMessage' | 'state'>): string {
  const last = room.lastMessage;
  if (!last) return room.state === 'pending' ? 'Waiting to sync' : 'No messages yet';
  if (last.senderName === null) return `You: ${last.text}`;
  return room.kind === 'dm' ? last.text : `${last.senderName}: ${last.text}`;
}

interface RoomRowProps {
  room: RoomListEntry;
  active: boolean;
  icon: ReactNode;
  linkState?: unknown;
  onRetry: (clientId: string) => void;
  onDelete: (clientId: string) => void;
  now?: Date;
}

const RoomRow = memo(function RoomRow({ room, active, icon, linkState, onRetry, onDelete, now }: RoomRowProps) {
  const nameId = useId();
  const previewId = useId();
  const stateId = useId();
  const unread = room.state === 'synced' ? room.unread : 0;
  const pending = room.state === 'pending';
  const failure = room.state === 'failed' ? room.failure : null;
  const stateText = [
    unread > 0 ? `${unread} unread ${unread === 1 ? 'message' : 'messages'}.` : '',
    pending ? 'Not confirmed by the server yet.' : '',
    room.muted ? 'Muted.' : '',
    room.state === 'failed' ? 'Could not be created.' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <li data-room-id={room.id} data-state={room.state} data-unread={unread}>
      <Link
        href={roomPath(room.id)}
        state={linkState}
        aria-labelledby={nameId}
        aria-describedby={stateText ? `${stateId} ${previewId}` : previewId}
        aria-current={active ? 'page' : undefined}
        className={`flex min-h-16 items-center gap-3 rounded-xl px-3 py-2 transition-colors ${
          active ? 'bg-accent-soft' : 'hover:bg-surface-muted'
        }`}
      >
        <span className={pending ? 'opacity-60' : undefined}>{icon}</span>
        <span className="flex min-w-0 flex-1 flex-col gap-0.5">
          <span className="flex items-baseline gap-2">
            <span
              id={nameId}
              className={`min-w-0 flex-1 truncate text-[15px] ${unread > 0 ? 'font-semibold text-ink' : 'font-medium text-ink'} ${
                pending ? 'italic' : ''
              }`}
            >
              {room.name}
            </span>
            {room.lastMessage && !pending && (
              <time
                dateTime={room.activityAt}
                className={`shrink-0 text-xs tabular-nums ${unread > 0 ? 'font-semibold text-accent-text' : 'text-ink-muted'}`}
              >
                {formatListTime(room.activityAt, now)}
              </time>
            )}
          </span>
          <span className="flex items-center gap-2">
            {pending && <ClockIcon className="size-3.5 shrink-0 text-ink-muted" />}
            {room.state === 'failed' && <WarningIcon className="size-3.5 shrink-0 text-red-700 dark:text-red-300" />}
            <span id={previewId} className={`min-w-0 flex-1 truncate text-sm ${unread > 0 ? 'text-ink' : 'text-ink-muted'}`}>
              {previewText(room)}
            </span>
            {room.muted && <BellOffIcon className="size-3.5 shrink-0 text-ink-muted" />}
            {unread > 0 && (
              <span
                aria-hidden="true"
                className={`grid h-5 min-w-5 shrink-0 place-items-center rounded-full px-1.5 text-[11px] font-semibold tabular-nums ${
                  room.muted ? 'bg-ink-muted text-surface' : 'bg-accent text-accent-ink'
                }`}
              >
                {unread > MAX_BADGE ? `${MAX_BADGE}+` : unread}
              </span>
            )}
          </span>
        </span>
        {stateText && (
          <span id={stateId} className="sr-only">
            {stateText}
          </span>
        )}
      </Link>
      {failure && (
        // Outside the link: buttons cannot sit inside one.
        <div className="mb-1 ml-[3.75rem] flex flex-wrap items-center gap-x-1 gap-y-0.5 pr-2 text-xs">
          <p className="mr-1 text-red-700 dark:text-red-300">
            <span className="font-semibold">Not created:</span> {failure.reason}
          </p>
          {/* Named after the room too: a list may hold several failed rooms. */}
          <button
            type="button"
            aria-label={`Retry creating ${room.name}`}
            onClick={() => onRetry(failure.clientId)}
            className={`${QUIET_BUTTON} min-h-8 px-2 text-xs`}
          >
            <RetryIcon className="size-3.5" />
            Retry
          </button>
          <button
            type="button"
            aria-label={`Delete ${room.name}`}
            onClick={() => onDelete(failure.clientId)}
            className={`${DANGER_QUIET_BUTTON} min-h-8 px-2 text-xs`}
          >
            <TrashIcon className="size-3.5" />
            Delete
          </button>
        </div>
      )}
    </li>
  );
});
