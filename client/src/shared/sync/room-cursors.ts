import type { LogEvent, RoomCursor } from '@whisper/protocol';
import { bringsMeIn, roomsLeft } from './room-state';

/**
 * Where each room's log stands while frames arrive (E1, P6, M5), as a pure
 * function of the machine's context: every room has its own gap-free seq
 * space, shared by `messages` and `events`, so contiguity is tracked per
 * room over both frame types.
 */

export interface LogPositions {
  /** Rooms whose log this device has without a hole up to the seq (the P6 cursors). */
  cursors: Record<string, number>;
  /**
   * Rooms of the last `rooms` frame still waiting for their `synced`, with
   * the seq each was listed at: their pages move no cursor, and what those
   * pages say up to that seq is history the listing already includes (the
   * user left and came back: still a member).
   */
  awaiting: Record<string, number>;
  /** A `sync {rooms}` is out and its `rooms` frame has not come: every room may be in its answer. */
  roundOpen: boolean;
  /**
   * Seqs of live entries stored while their room waited for a round's
   * answer. That answer's `synced` names the room's end when it was listed,
   * which can be older than these: the cursor moves on over them then.
   */
  held: Record<string, number[]>;
  /**
   * Rooms the user left (or lost) while a round's `rooms` frame was on its
   * way, with the seq of that entry: a listing older than it is stale.
   */
  dropped: Record<string, number>;
}

export interface LogStep {
  cursors: Record<string, number>;
  awaiting: Record<string, number>;
  held: Record<string, number[]>;
  dropped: Record<string, number>;
  /** Cursors that moved, to store with the entries. */
  moved: Record<string, number>;
  /** A hole in a room this device follows: catch up on that room alone (P6). */
  gaps: RoomCursor[];
  /** A room this device does not know, or the user was added to one: a new round (M5). */
  round: boolean;
}

/** Highest seq such that every seq up to it is present, starting from `from`; `gap` when a later one is missing its predecessors. */
export function advanceContiguous(from: number, seqs: number[]): { seq: number; gap: boolean } {
  let seq = from;
  let gap = false;
  for (const s of [...seqs].sort((a, b) => a - b)) {
    if (s <= seq) continue;
    if (s === seq + 1) seq = s;
    else gap = true;
  }
  return { seq, gap };
}

/**
 * Whether a log entry is history a `rooms` frame already accounts for: its
 * room is listed (so the user is in it) at a seq at or past the entry. A
 * catch-up page that says "you left" is then not news: later pages bring
 * the user back in.
 */
export function isListedHistory(awaiting: Record<string, number>, entry: { room_id: string; seq: number }): boolean {
  const listedAt = awaiting[entry.room_id];
  return listedAt !== undefined && entry.seq <= listedAt;
}

/** What a frame of log entries (messages or events) does to the positions. */
export function followLog(state: LogPositions, entries: { room_id: string; seq: number }[], events: LogEvent[], me: string | undefined): LogStep {
  const cursors = { ...state.cursors };
  const held = { ...state.held };
  const awaiting = { ...state.awaiting };
  const dropped = { ...state.dropped };
  const step: LogStep = { cursors, awaiting, held, dropped, moved: {}, gaps: [], round: false };
  const left = roomsLeft(
    events.filter((event) => !isListedHistory(state.awaiting, event)),
    me,
  );
  const rooms = new Map<string, number[]>();
  for (const entry of entries) rooms.set(entry.room_id, [...(rooms.get(entry.room_id) ?? []), entry.seq]);
  for (const [roomId, seqs] of rooms) {
    const own = events.filter((event) => event.room_id === roomId);
    // Added somewhere: learn the room in a round, unless the round under way lists it already.
    // A room this device already follows is one the user is in: an old
    // "added" entry seen again (a catch-up page) is nothing new to learn.
    if (own.some((event) => bringsMeIn(event, me)) && !(roomId in awaiting) && !(roomId in cursors)) step.round = true;
    if (left.has(roomId)) {
      // Nothing more comes from this room (M4); the store drops it.
      delete cursors[roomId];
      delete held[roomId];
      delete awaiting[roomId];
      if (state.roundOpen) dropped[roomId] = Math.max(...seqs);
      continue;
    }
    // A round's answer covers it: its `synced` sets the cursor, then moves
    // on over what arrived meanwhile (held).
    if (state.roundOpen || roomId in awaiting) {
      held[roomId] = [...(held[roomId] ?? []), ...seqs];
      continue;
    }
    const known = cursors[roomId];
    const { seq, gap } = advanceContiguous(known ?? 0, seqs);
    if (known === undefined && gap) {
      // Not a room of this device, and not from its start: someone added
      // the user to it, or it was missed. A round learns it properly.
      step.round = true;
      continue;
    }
    if (seq > (known ?? 0)) cursors[roomId] = step.moved[roomId] = seq;
    if (gap) step.gaps.push({ room_id: roomId, after_seq: seq });
  }
  return step;
}
