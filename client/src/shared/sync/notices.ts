import { MemberAction, OpName, RoomKind, type LogEvent } from '@whisper/protocol';
import type { OutboxOp } from '../db/whisper-db';

/**
 * M4: the timeline's notices, with people's display names and "You" for the
 * user ("Ana added Ben and Cleo", "You left", "Ana removed you").
 */

/** What a notice needs of an entry: who did it, and what. */
type Change = { [K in NoticeEvent['kind']]: Omit<Extract<NoticeEvent, { kind: K }>, 'id' | 'seq' | 'room_id' | 'client_id' | 'created_at'> }[NoticeEvent['kind']];

/** The log entries the timeline shows as notices (M4); edits, deletes and reactions change their message instead. */
export type NoticeEvent = Extract<LogEvent, { kind: 'member' | 'room' }>;

export interface NoticeNames {
  /** A person's display name (never a UUID). */
  nameOf(userId: string): string;
  me: string | undefined;
}

function who(names: NoticeNames, userId: string, first: boolean): string {
  if (userId === names.me) return first ? 'You' : 'you';
  return names.nameOf(userId);
}

/** "Ben", "Ben and Cleo", "Ben, Cleo and Dan". */
function list(names: NoticeNames, userIds: readonly string[], first: boolean): string {
  const shown = userIds.map((id, i) => who(names, id, first && i === 0));
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

const noun = (kind: RoomKind) => (kind === RoomKind.Group ? 'group' : kind === RoomKind.Dm ? 'conversation' : 'room');

/** A log entry (E2) as a sentence. `kind`: the room's, for "group" or "room". */
export function noticeText(change: Change, kind: RoomKind, names: NoticeNames): string {
  const actor = who(names, change.user_id, true);
  if (change.kind === 'room') {
    if (change.created !== undefined) {
      return change.created === RoomKind.Dm ? `${actor} started the conversation` : `${actor} created the ${noun(change.created)} “${change.name ?? ''}”`;
    }
    if (change.deleted) return `${actor} deleted the ${noun(kind)}`;
    return `${actor} renamed the ${noun(kind)} to “${change.name ?? ''}”`;
  }
  switch (change.action) {
    case MemberAction.Added:
      return `${actor} added ${list(names, change.user_ids, false)}`;
    case MemberAction.Removed:
      return `${actor} removed ${list(names, change.user_ids, false)}`;
    case MemberAction.Joined:
      return `${list(names, change.user_ids, true)} joined`;
    case MemberAction.Left:
      return `${list(names, change.user_ids, true)} left`;
  }
}

/** A pending op of this device, told as the entry the server will log for it. */
export function opNoticeText(op: OutboxOp, kind: RoomKind, names: NoticeNames): string {
  const user_id = names.me ?? '';
  switch (op.op) {
    case OpName.RoomCreate:
      return noticeText({ kind: 'room', user_id, created: op.kind, name: op.name }, kind, names);
    case OpName.RoomUpdate:
      return noticeText({ kind: 'room', user_id, name: op.name }, kind, names);
    case OpName.RoomDelete:
      return noticeText({ kind: 'room', user_id, deleted: true }, kind, names);
    case OpName.MemberAdd: {
      const joining = op.user_ids.length === 1 && op.user_ids[0] === names.me;
      return noticeText({ kind: 'member', user_id, action: joining ? MemberAction.Joined : MemberAction.Added, user_ids: op.user_ids }, kind, names);
    }
    case OpName.MemberRemove: {
      const leaving = op.user_ids.length === 1 && op.user_ids[0] === names.me;
      return noticeText({ kind: 'member', user_id, action: leaving ? MemberAction.Left : MemberAction.Removed, user_ids: op.user_ids }, kind, names);
    }
    default:
      // Message actions are shown on their message, never as notices.
      return '';
  }
}
