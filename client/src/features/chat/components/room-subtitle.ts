import { ROOM_KIND_LABEL, type RoomKind } from '../../../shared/ui/room-icon';

export interface RoomSubtitle {
  /** "Private group", "Public room", "Direct message". */
  kind: string;
  /** "3 members", with "waiting to sync" for a room not confirmed yet; null when there is nothing more to say. */
  detail: string | null;
}

/**
 * What the room's bar says under its name: its kind, how many are in it,
 * whether the server has it yet, and for a DM the other person's presence
 * ("online", "last seen 14:05": L1).
 */
export function roomSubtitle(room: { kind: RoomKind; memberCount: number; state: 'synced' | 'pending' | 'failed' }, presence: string | null = null): RoomSubtitle {
  const details: string[] = [];
  if (room.kind === 'dm' && presence) details.push(presence);
  if (room.kind !== 'dm') details.push(`${room.memberCount} ${room.memberCount === 1 ? 'member' : 'members'}`);
  if (room.state === 'pending') details.push('waiting to sync');
  if (room.state === 'failed') details.push('could not be created');
  return { kind: ROOM_KIND_LABEL[room.kind], detail: details.length > 0 ? details.join(' · ') : null };
}
