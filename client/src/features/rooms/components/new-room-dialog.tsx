import { MAX_ROOM_NAME_LENGTH, type User } from '@whisper/protocol';
import { useId, useState, type ComponentType, type FormEvent } from 'react';
import { PRIMARY_BUTTON, QUIET_BUTTON } from '../../../shared/ui/buttons';
import { Modal } from '../../../shared/ui/dialog';
import { TEXT_FIELD } from '../../../shared/ui/fields';
import { GroupIcon, HashIcon, type IconProps } from '../../../shared/ui/icons';
import { PersonIcon } from './dialog-icons';
import { PeoplePicker, PersonPicker, type SearchPeople } from './people-picker';

export type NewRoomKind = 'group' | 'public' | 'dm';

export interface NewRoomDialogProps {
  open: boolean;
  onClose: () => void;
  search: SearchPeople;
  /** Creates the room (offline too) and opens it. */
  onCreate: (input: { kind: 'group' | 'public'; name: string; userIds: string[] }) => void;
  /** Opens (or starts) the DM with this person. */
  onStartDm: (userId: string) => void;
  initialKind?: NewRoomKind;
}

const KINDS: ReadonlyArray<{ kind: NewRoomKind; label: string; hint: string; Icon: ComponentType<IconProps> }> = [
  { kind: 'group', label: 'Group', hint: 'Private: only the people in it see it.', Icon: GroupIcon },
  { kind: 'public', label: 'Public room', hint: 'Anyone can find it and join.', Icon: HashIcon },
  { kind: 'dm', label: 'Direct message', hint: 'A conversation with one person.', Icon: PersonIcon },
];

/**
 * "New room": a private group (a name and the people in it), a public room
 * (a name), or a direct message (one person). What is created works at once,
 * offline too: the room is minted on this device and sent when it can be (M2).
 */
export function NewRoomDialog({ open, onClose, search, onCreate, onStartDm, initialKind = 'group' }: NewRoomDialogProps) {
  const [kind, setKind] = useState<NewRoomKind>(initialKind);
  const [name, setName] = useState('');
  const [people, setPeople] = useState<User[]>([]);
  const nameId = useId();
  const hintId = useId();
  const trimmed = name.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (kind === 'dm' || trimmed === '') return;
    onCreate({ kind, name: trimmed, userIds: kind === 'group' ? people.map((person) => person.id) : [] });
  };

  return (
    <Modal open={open} onClose={onClose} title="New room">
      <form onSubmit={submit} className="flex flex-col gap-5">
        <fieldset>
          <legend className="sr-only">Kind of room</legend>
          <div className="grid grid-cols-3 gap-2">
            {KINDS.map(({ kind: value, label, Icon }) => (
              <label
                key={value}
                className="flex min-h-16 cursor-pointer flex-col items-center justify-center gap-1 rounded-xl border border-line px-2 py-2 text-center text-xs font-medium text-ink-muted transition-colors has-checked:border-accent has-checked:bg-accent-soft has-checked:text-accent-text has-focus-visible:outline-2 has-focus-visible:outline-accent hover:bg-surface-muted"
              >
                <input
                  type="radio"
                  name="kind"
                  value={value}
                  checked={kind === value}
                  onChange={() => setKind(value)}
                  className="sr-only"
                />
                <Icon className="size-5" />
                {label}
              </label>
            ))}
          </div>
          <p className="mt-2 text-sm text-ink-muted">{KINDS.find((entry) => entry.kind === kind)?.hint}</p>
        </fieldset>

        {kind === 'dm' ? (
          <PersonPicker key="dm" label="Person" search={search} onPick={(person) => onStartDm(person.id)} />
        ) : (
          <>
            <div className="flex flex-col gap-1.5">
              <label htmlFor={nameId} className="text-sm font-medium">
                {kind === 'group' ? 'Group name' : 'Room name'}
              </label>
              <input
                id={nameId}
                data-autofocus
                required
                maxLength={MAX_ROOM_NAME_LENGTH}
                value={name}
                onChange={(event) => setName(event.target.value)}
                placeholder={kind === 'group' ? 'Trip to Lisbon' : 'book-club'}
                aria-describedby={hintId}
                autoComplete="off"
                className={TEXT_FIELD}
              />
              <p id={hintId} className="text-xs text-ink-muted">
                Up to {MAX_ROOM_NAME_LENGTH} characters.
              </p>
            </div>
            {kind === 'group' && <PeoplePicker label="Add people" search={search} selected={people} onChange={setPeople} />}
            <div className="flex justify-end gap-2">
              <button type="button" onClick={onClose} className={QUIET_BUTTON}>
                Cancel
              </button>
              <button type="submit" disabled={trimmed === ''} className={PRIMARY_BUTTON}>
                {kind === 'group' ? 'Create group' : 'Create room'}
              </button>
            </div>
          </>
        )}
      </form>
    </Modal>
  );
}
