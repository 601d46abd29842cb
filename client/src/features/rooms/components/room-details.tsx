import { MAX_ROOM_NAME_LENGTH, type User } from '@whisper/protocol';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { Avatar } from '../../../shared/ui/avatar';
import { DANGER_QUIET_BUTTON, OUTLINE_BUTTON, PRIMARY_BUTTON, QUIET_BUTTON } from '../../../shared/ui/buttons';
import { ConfirmDialog, SidePanel } from '../../../shared/ui/dialog';
import { TEXT_FIELD } from '../../../shared/ui/fields';
import { BellOffIcon, TrashIcon } from '../../../shared/ui/icons';
import { WithPresence } from '../../../shared/ui/presence-dot';
import { LeaveIcon, PencilIcon, PersonAddIcon } from './dialog-icons';
import { ROOM_KIND_LABEL, RoomIcon, type RoomKind } from '../../../shared/ui/room-icon';
import { PeoplePicker, type SearchPeople } from './people-picker';
import { Switch } from '../../../shared/ui/switch';

/** What the panel needs of a room; the data layer's RoomView (shared/sync/room-view.ts) has all of it. */
export interface RoomDetailsRoom {
  id: string;
  kind: RoomKind;
  name: string;
  roomName: string;
  everyone: boolean;
  members: ReadonlyArray<{ id: string; displayName: string; color: string; avatar?: string | null; isOwner: boolean; isMe: boolean }>;
  memberCount: number;
  state: 'synced' | 'pending' | 'failed';
  canRename: boolean;
  canDelete: boolean;
  canAddPeople: boolean;
  canLeave: boolean;
  canRemoveOthers: boolean;
  /** N1: muted by the user: no notifications from it. */
  muted?: boolean;
}

export interface RoomDetailsActions {
  onRename: (name: string) => void;
  onAddPeople: (userIds: string[]) => void;
  onRemove: (userId: string) => void;
  onLeave: () => void;
  onDelete: () => void;
  /** N1: mute (true) or unmute the room's notifications for this user. */
  onMute: (muted: boolean) => void;
}

export interface RoomDetailsPanelProps extends RoomDetailsActions {
  open: boolean;
  onClose: () => void;
  room: RoomDetailsRoom;
  search: SearchPeople;
  /** L1: the members online now (a dot each, listed first); none while that cannot be known. */
  online?: ReadonlySet<string>;
}

const NOBODY_ONLINE: ReadonlySet<string> = new Set();

export function memberCountText(count: number): string {
  return `${count} ${count === 1 ? 'member' : 'members'}`;
}

/** "group" or "room", as the buttons and questions name the room. */
function noun(kind: RoomKind): string {
  return kind === 'group' ? 'group' : 'room';
}

type Confirm = { kind: 'leave' } | { kind: 'delete' } | { kind: 'remove'; userId: string; name: string } | null;

/**
 * The room's details, in a side sheet: who is in it (the owner marked), and
 * what you may do there (M1): rename and delete (the owner), add people (any
 * member of a group or public room), remove someone (the owner), leave. Each
 * action goes through the engine's outbox, so it works offline too and shows
 * in the timeline as a pending notice until the server confirms it. A DM
 * shows only the other person.
 */
export function RoomDetailsPanel({ open, onClose, room, search, online = NOBODY_ONLINE, ...actions }: RoomDetailsPanelProps) {
  const [confirm, setConfirm] = useState<Confirm>(null);
  // Online first, each part in the room's own order (a stable sort).
  const members = [...room.members].sort((a, b) => Number(online.has(b.id)) - Number(online.has(a.id)));
  const title = room.kind === 'dm' ? 'Contact info' : room.kind === 'group' ? 'Group info' : 'Room info';
  const partner = room.kind === 'dm' ? room.members.find((member) => !member.isMe) : undefined;

  const confirmed = () => {
    if (!confirm) return;
    if (confirm.kind === 'leave') actions.onLeave();
    else if (confirm.kind === 'delete') actions.onDelete();
    else actions.onRemove(confirm.userId);
    setConfirm(null);
  };

  return (
    <SidePanel open={open} onClose={onClose} title={title}>
      <div className="flex flex-col items-center gap-2 border-b border-line px-5 pt-6 pb-5 text-center">
        {room.kind === 'dm' ? (
          <Avatar name={room.name} color={partner?.color} avatar={partner?.avatar} size="lg" />
        ) : (
          <span className="scale-150 p-3">
            <RoomIcon kind={room.kind} name={room.name} />
          </span>
        )}
        <p className="text-xl font-semibold break-words">{room.name}</p>
        <p className="text-sm text-ink-muted">
          {ROOM_KIND_LABEL[room.kind]}
          {room.kind !== 'dm' && ` · ${room.everyone ? `everyone (${room.memberCount})` : memberCountText(room.memberCount)}`}
        </p>
        {room.state === 'pending' && <p className="text-xs text-ink-muted">Saved on this device; it reaches the server when you are online.</p>}
      </div>
      <MuteSection muted={room.muted === true} onMute={actions.onMute} />

      {room.kind !== 'dm' && (
        <>
          {room.canRename && <RenameSection room={room} onRename={actions.onRename} />}
          {room.canAddPeople && !room.everyone && (
            <AddPeopleSection search={search} memberIds={room.members.map((member) => member.id)} onAdd={actions.onAddPeople} />
          )}
          <section aria-labelledby={`${room.id}-members`} className="border-b border-line px-5 py-4">
            <h3 id={`${room.id}-members`} className="mb-2 text-xs font-semibold tracking-wide text-ink-muted uppercase">
              {room.everyone ? 'Members' : `${memberCountText(room.memberCount)}`}
            </h3>
            {room.everyone ? (
              <p className="text-sm text-ink-muted">Everyone who uses Whisper is in {room.name}.</p>
            ) : (
              <ul className="-mx-2 flex flex-col">
                {members.map((member) => (
                  <li key={member.id} className="flex min-h-13 items-center gap-3 rounded-lg px-2 py-1.5">
                    <WithPresence online={online.has(member.id)}>
                      <Avatar name={member.displayName} color={member.color} avatar={member.avatar} size="sm" />
                    </WithPresence>
                    <span className="min-w-0 flex-1 truncate text-[15px]">
                      {member.displayName}
                      {member.isMe && <span className="text-ink-muted"> (you)</span>}
                    </span>
                    {member.isOwner && (
                      <span className="rounded-full bg-accent-soft px-2 py-0.5 text-xs font-medium text-accent-text">Owner</span>
                    )}
                    {room.canRemoveOthers && !member.isMe && (
                      <button
                        type="button"
                        aria-label={`Remove ${member.displayName}`}
                        onClick={() => setConfirm({ kind: 'remove', userId: member.id, name: member.displayName })}
                        className={`${DANGER_QUIET_BUTTON} min-h-9 px-2 text-xs`}
                      >
                        Remove
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
          {(room.canLeave || room.canDelete) && (
            <div className="flex flex-col items-start gap-1 px-3 py-3">
              {room.canLeave && (
                <button type="button" onClick={() => setConfirm({ kind: 'leave' })} className={DANGER_QUIET_BUTTON}>
                  <LeaveIcon className="size-4" />
                  Leave {noun(room.kind)}
                </button>
              )}
              {room.canDelete && (
                <button type="button" onClick={() => setConfirm({ kind: 'delete' })} className={DANGER_QUIET_BUTTON}>
                  <TrashIcon className="size-4" />
                  Delete {noun(room.kind)}
                </button>
              )}
            </div>
          )}
        </>
      )}

      <ConfirmDialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        onConfirm={confirmed}
        {...confirmText(confirm, room)}
      />
    </SidePanel>
  );
}

function confirmText(confirm: Confirm, room: RoomDetailsRoom): { title: string; message: ReactNode; confirmLabel: string } {
  const what = noun(room.kind);
  switch (confirm?.kind) {
    case 'leave':
      return {
        title: `Leave “${room.name}”?`,
        message:
          room.kind === 'group'
            ? 'You will stop getting its messages, and someone in it has to add you to come back.'
            : 'You will stop getting its messages. You can join again from “Browse public rooms”.',
        confirmLabel: 'Leave',
      };
    case 'remove':
      return { title: `Remove ${confirm.name}?`, message: `${confirm.name} will no longer see “${room.name}”.`, confirmLabel: 'Remove' };
    default:
      // Also the closing dialog's text (confirm just went null): it stays put while the dialog fades out.
      return {
        title: `Delete “${room.name}”?`,
        message: `The ${what} and all of its messages are deleted for everyone in it. This cannot be undone.`,
        confirmLabel: 'Delete',
      };
  }
}

/** N1: the room's notifications for this user, on or off (offline too: the change waits in the outbox). */
function MuteSection({ muted, onMute }: { muted: boolean; onMute: (muted: boolean) => void }) {
  const id = useId();
  return (
    <div className="flex min-h-14 items-center gap-3 border-b border-line px-5 py-2">
      <BellOffIcon className="size-4 shrink-0 text-ink-muted" />
      <span id={id} className="flex-1 text-[15px]">
        Mute notifications
      </span>
      <Switch on={muted} labelledBy={id} onChange={onMute} />
    </div>
  );
}

function RenameSection({ room, onRename }: { room: RoomDetailsRoom; onRename: (name: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(room.roomName);
  const inputId = useId();
  const trimmed = name.trim();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (trimmed === '' || trimmed === room.roomName) return;
    onRename(trimmed);
    setEditing(false);
  };
  if (!editing) {
    return (
      <div className="border-b border-line px-3 py-2">
        <button
          type="button"
          onClick={() => {
            setName(room.roomName);
            setEditing(true);
          }}
          className={QUIET_BUTTON}
        >
          <PencilIcon className="size-4" />
          Rename {noun(room.kind)}
        </button>
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-2 border-b border-line px-5 py-4">
      <label htmlFor={inputId} className="text-sm font-medium">
        {room.kind === 'group' ? 'Group name' : 'Room name'}
      </label>
      <input
        id={inputId}
        autoFocus
        required
        maxLength={MAX_ROOM_NAME_LENGTH}
        value={name}
        onChange={(event) => setName(event.target.value)}
        onKeyDown={(event) => {
          // Esc cancels the edit, not the whole panel.
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            setEditing(false);
          }
        }}
        className={TEXT_FIELD}
      />
      <div className="flex justify-end gap-2">
        <button type="button" onClick={() => setEditing(false)} className={QUIET_BUTTON}>
          Cancel
        </button>
        <button type="submit" disabled={trimmed === '' || trimmed === room.roomName} className={PRIMARY_BUTTON}>
          Save
        </button>
      </div>
    </form>
  );
}

function AddPeopleSection({ search, memberIds, onAdd }: { search: SearchPeople; memberIds: string[]; onAdd: (userIds: string[]) => void }) {
  const [adding, setAdding] = useState(false);
  const [people, setPeople] = useState<User[]>([]);
  if (!adding) {
    return (
      <div className="border-b border-line px-3 py-2">
        <button type="button" onClick={() => setAdding(true)} className={QUIET_BUTTON}>
          <PersonAddIcon className="size-4" />
          Add people
        </button>
      </div>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (people.length === 0) return;
        onAdd(people.map((person) => person.id));
        setPeople([]);
        setAdding(false);
      }}
      className="flex flex-col gap-3 border-b border-line px-5 py-4"
    >
      <PeoplePicker label="Add people" search={search} excludeIds={memberIds} selected={people} onChange={setPeople} autoFocus />
      <div className="flex justify-end gap-2">
        <button type="button" onClick={() => setAdding(false)} className={QUIET_BUTTON}>
          Cancel
        </button>
        <button type="submit" disabled={people.length === 0} className={OUTLINE_BUTTON}>
          {people.length === 0 ? 'Add' : `Add ${people.length === 1 ? '1 person' : `${people.length} people`}`}
        </button>
      </div>
    </form>
  );
}
