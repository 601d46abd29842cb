import { Avatar } from './avatar';
import { GroupIcon, HashIcon } from './icons';

export type RoomKind = 'public' | 'group' | 'dm';

const SIZES = { sm: { box: 'size-8', icon: 'size-4' }, md: { box: 'size-10', icon: 'size-5' } } as const;

export interface RoomIconProps {
  kind: RoomKind;
  /** The room's display name (a DM: the other person's), for the DM's initials. */
  name: string;
  /** A DM: the other person's colour. */
  color?: string | null;
  /** A DM's: the other person's profile picture (media id). */
  avatar?: string | null;
  size?: keyof typeof SIZES;
}

/**
 * What a room looks like at a glance, the same in the list, the header and
 * the dialogs: a DM is the other person's avatar (a circle), a public room a
 * "#" and a private group two people (rounded squares, so a room never
 * passes for a person). Decorative: the room's name is always beside it.
 */
export function RoomIcon({ kind, name, color, avatar, size = 'md' }: RoomIconProps) {
  if (kind === 'dm') return <Avatar name={name} color={color} avatar={avatar} size={size} />;
  const Icon = kind === 'public' ? HashIcon : GroupIcon;
  return (
    <span aria-hidden="true" className={`grid shrink-0 place-items-center rounded-xl bg-accent-soft text-accent-text ${SIZES[size].box}`}>
      <Icon className={SIZES[size].icon} />
    </span>
  );
}

/** The kind in words, for screen readers and subtitles. */
export const ROOM_KIND_LABEL: Readonly<Record<RoomKind, string>> = {
  public: 'Public room',
  group: 'Private group',
  dm: 'Direct message',
};
