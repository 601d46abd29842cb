import { DEFAULT_ROOM_ID, MemberAction, OpName, RoomKind, type ChatMessage, type LogEvent, type Room } from '@whisper/protocol';
import type { OutboxOp } from '../db/whisper-db';

/**
 * How ops and log entries change a room (M1, M4), as pure functions. The
 * same code folds an acked op into the `rooms` table, overlays pending ops on
 * it in the live queries (C1: local echo without any undo logic), and
 * applies the server's events: what the user sees while an op is pending is
 * what the server's event will make of it.
 *
 * Each returns the room as it becomes, `null` when the user no longer has it
 * (left, removed, deleted), or `undefined` when there was no room to change.
 */

/** Length of a room's last-message excerpt, as the server cuts it (M6). */
export const EXCERPT_LENGTH = 140;

const EPOCH = new Date(0).toISOString();

/**
 * `general` before the first `rooms` frame (a new device offline, a device
 * from before rooms existed): everyone is in it, so it is always the user's.
 */
export function placeholderGeneral(): Room {
  return {
    id: DEFAULT_ROOM_ID,
    name: DEFAULT_ROOM_ID,
    kind: RoomKind.Public,
    owner_id: null,
    members: [],
    member_count: 0,
    last_seq: 0,
    last_activity_at: EPOCH,
    last_message: null,
    created_at: EPOCH,
  };
}

/** The later of two ISO times (server times and local clocks may differ in format). */
export function laterTime(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** general's members list is empty and means everyone: member ops and events never change it. */
const hasEveryone = (room: Room) => room.id === DEFAULT_ROOM_ID;

function withMembers(room: Room, add: readonly string[], remove: readonly string[]): Room {
  if (hasEveryone(room)) return room;
  const present = new Set(room.members);
  // The list holds the first 200 members only (M6): someone removed who is
  // not in it was still counted in member_count.
  const complete = room.members.length >= room.member_count;
  const removed = remove.filter((id) => present.has(id) || !complete).length;
  const kept = room.members.filter((id) => !remove.includes(id));
  const added = [...new Set(add)].filter((id) => !present.has(id) && !remove.includes(id));
  return { ...room, members: [...kept, ...added], member_count: Math.max(0, room.member_count - removed + added.length) };
}

/** A room as its creation makes it: the creator (the owner, except of a DM) and the people named. */
export function createdRoom(roomId: string, kind: RoomKind, name: string, creator: string | null, others: readonly string[], at: string, seq = 0): Room {
  const members = [...new Set([...(creator === null ? [] : [creator]), ...others])];
  return {
    id: roomId,
    name: kind === RoomKind.Dm ? '' : name.trim(),
    kind,
    owner_id: kind === RoomKind.Dm ? null : creator,
    members,
    member_count: members.length,
    last_seq: seq,
    last_activity_at: at,
    last_message: null,
    created_at: at,
  };
}

/** A log position reached at `at`: the room's seq and activity move forward only. */
function reached(room: Room, seq: number | undefined, at: string): Room {
  if (seq === undefined) return room;
  return { ...room, last_seq: Math.max(room.last_seq, seq), last_activity_at: laterTime(room.last_activity_at, at) };
}

/**
 * P11: what an op does to the room. `seq` is the ack's (the op's last log
 * entry), given when folding an acked op; a pending op has none.
 */
export function applyOp(room: Room | undefined, op: OutboxOp, me: string | null, at: string, seq?: number): Room | null | undefined {
  switch (op.op) {
    case OpName.RoomCreate:
      // A room the device already has (the other person opened the DM
      // first, or the server's event came before the ack) stays as it is.
      return reached(room ?? createdRoom(op.room_id, op.kind, op.name, me, op.user_ids, at, seq), seq, at);
    case OpName.RoomUpdate:
      return room && reached({ ...room, name: op.name.trim() }, seq, at);
    case OpName.RoomDelete:
      return null;
    case OpName.MemberAdd:
      return room && reached(withMembers(room, op.user_ids, []), seq, at);
    case OpName.MemberRemove:
      // Leaving; general cannot be left (the server refuses it), so it stays.
      if (me !== null && op.user_ids.includes(me) && op.room_id !== DEFAULT_ROOM_ID) return null;
      return room && reached(withMembers(room, [], op.user_ids), seq, at);
    case OpName.Read:
      // L3: a marker; the room's read_seq follows the server's receipts.
      return undefined;
    case OpName.Mute:
      // N1: the user's own setting, on the room object as the server's `rooms` frame carries it.
      return room && { ...room, muted: op.muted };
    default:
      // Edits, deletes and reactions change a message (message-state.ts); the room's list entry stays.
      return room && (seq === undefined ? room : { ...room, last_seq: Math.max(room.last_seq, seq) });
  }
}

/** Whether a log entry takes the room away from `me`: deleted, or they left or were removed (M4). */
export function dropsRoom(event: LogEvent, me: string | undefined): boolean {
  if (event.kind === 'room') return event.deleted === true;
  if (event.kind !== 'member') return false;
  return (event.action === MemberAction.Left || event.action === MemberAction.Removed) && me !== undefined && event.user_ids.includes(me);
}

/** Whether a log entry brings `me` into a room (joined, or added by someone). */
export function bringsMeIn(event: LogEvent, me: string | undefined): boolean {
  return (
    event.kind === 'member' &&
    (event.action === MemberAction.Added || event.action === MemberAction.Joined) &&
    me !== undefined &&
    event.user_ids.includes(me)
  );
}

/**
 * The rooms these entries (in seq order) leave the user out of: those where
 * the last entry about their membership takes the room away. Leaving a
 * public room and joining it again while this device was away is no reason
 * to drop it.
 */
export function roomsLeft(events: LogEvent[], me: string | undefined): Set<string> {
  const out = new Map<string, boolean>();
  for (const event of events) {
    if (dropsRoom(event, me)) out.set(event.room_id, true);
    else if (bringsMeIn(event, me)) out.set(event.room_id, false);
  }
  return new Set([...out].filter(([, left]) => left).map(([roomId]) => roomId));
}

/** E2, M4: what a log entry does to the room: name, members, owner, last activity. */
export function applyEvent(room: Room | undefined, event: LogEvent, me: string | undefined): Room | null | undefined {
  // An edit, delete or reaction moves the room's log on, not its place in
  // the list (the preview follows through withPreviewOf).
  if (event.kind === 'edit' || event.kind === 'delete' || event.kind === 'react' || event.kind === 'unreact') {
    return room && { ...room, last_seq: Math.max(room.last_seq, event.seq) };
  }
  if (dropsRoom(event, me)) return null;
  if (event.kind === 'room') {
    if (event.created !== undefined && room === undefined) {
      return createdRoom(event.room_id, event.created, event.name ?? '', event.user_id, [], event.created_at, event.seq);
    }
    if (room === undefined) return undefined;
    return reached(event.name !== undefined ? { ...room, name: event.name } : room, event.seq, event.created_at);
  }
  if (room === undefined) return undefined;
  const leaving = event.action === MemberAction.Left || event.action === MemberAction.Removed;
  let next = leaving ? withMembers(room, [], event.user_ids) : withMembers(room, event.user_ids, []);
  // The owner left: the server names the new owner (or null: nobody is left).
  if (event.owner_id !== undefined) next = { ...next, owner_id: event.owner_id };
  return reached(next, event.seq, event.created_at);
}

function previewOf(message: ChatMessage): NonNullable<Room['last_message']> {
  const preview = { seq: message.seq, user_id: message.user_id, excerpt: message.content.slice(0, EXCERPT_LENGTH), created_at: message.created_at };
  return message.deleted ? { ...preview, excerpt: '', deleted: true } : preview;
}

/** A stored message: the room's preview and activity move to it if it is the newest (M6). */
export function applyMessage(room: Room, message: ChatMessage): Room {
  if (message.seq <= (room.last_message?.seq ?? 0)) return reached(room, message.seq, message.created_at);
  return reached({ ...room, last_message: previewOf(message) }, message.seq, message.created_at);
}

/** X2: the newest message was edited or deleted: the preview says so. The same room when it is not the newest. */
export function withPreviewOf(room: Room, message: ChatMessage): Room {
  if (room.last_message?.seq !== message.seq) return room;
  return { ...room, last_message: previewOf(message) };
}

/** The other person of a DM (null for other rooms). */
export function dmPartner(room: Room, me: string | undefined): string | null {
  return room.kind === RoomKind.Dm ? (room.members.find((id) => id !== me) ?? null) : null;
}
