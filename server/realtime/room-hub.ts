import { MemberAction, type ChatMessage, type EventsFrame, type LogEvent, type MessagesFrame } from '../protocol/index.js';
import { isEvent, type LogEntry } from '../rooms/room-log.js';

/** A socket as the hub sees it. */
export interface Subscriber {
  readonly userId: string;
  /** Receives an already serialised frame. */
  send(json: string): void;
}

/**
 * At most one broadcast frame per room this often. Each frame costs every
 * socket a write (a system call) and the client a parse, whatever it holds,
 * so under load the commits of a few milliseconds share one frame; when the
 * room has been quiet for this long a commit goes out at once.
 */
export const BROADCAST_INTERVAL_MS = 10;

interface Room {
  id: string;
  members: Set<Subscriber>;
  /** Published, not yet sent: in seq order, as published. */
  pending: LogEntry[];
  timer: NodeJS.Timeout | null;
  lastFlush: number;
}

/** Who a membership entry lets in, and who it shuts out (M4, M5). */
function membershipChange(event: LogEvent): { admits: string[]; expels: string[] | 'everyone' } {
  if (event.kind === 'room') {
    if (event.deleted) return { admits: [], expels: 'everyone' };
    // A room's first entry: its creator is in it from now on.
    return { admits: event.created ? [event.user_id] : [], expels: [] };
  }
  // Edits, deletes and reactions change a message, not who is in the room.
  if (event.kind !== 'member') return { admits: [], expels: [] };
  const joining = event.action === MemberAction.Joined || event.action === MemberAction.Added;
  return joining ? { admits: event.user_ids, expels: [] } : { admits: [], expels: event.user_ids };
}

/**
 * In-process fan-out (P4, E2): every socket subscribed to a room gets each
 * committed entry of its log, serialised once for all of them. A frame holds
 * whole commits, in seq order, split into `messages` and `events` frames
 * where the kind of entry changes.
 *
 * Subscriptions follow membership (M3, M5): a socket is subscribed to its
 * user's rooms when it connects, and the membership entries themselves
 * subscribe the people they admit before they are sent (so the new member
 * sees the entry that let them in) and unsubscribe the people they shut out
 * right after it, sending the room's pending frame at once: nothing
 * published after someone left ever reaches them (M4).
 */
export class RoomHub {
  private readonly rooms = new Map<string, Room>();
  private readonly byUser = new Map<string, Set<Subscriber>>();
  /**
   * Rooms a subscriber was shut out of while its rooms were still being
   * read at connect: a stale read must not subscribe it again.
   */
  private readonly expelledWhileJoining = new Map<Subscriber, Set<string>>();

  /** Registers a new socket before its rooms are read (see join). */
  connect(subscriber: Subscriber): void {
    let sockets = this.byUser.get(subscriber.userId);
    if (!sockets) {
      sockets = new Set();
      this.byUser.set(subscriber.userId, sockets);
    }
    sockets.add(subscriber);
    this.expelledWhileJoining.set(subscriber, new Set());
  }

  /** Subscribes a connected socket to its user's rooms, as read from the database after connect(). */
  join(subscriber: Subscriber, roomIds: Iterable<string>): void {
    const expelled = this.expelledWhileJoining.get(subscriber);
    this.expelledWhileJoining.delete(subscriber);
    if (!this.byUser.get(subscriber.userId)?.has(subscriber)) return; // disconnected meanwhile
    for (const roomId of roomIds) if (!expelled?.has(roomId)) this.subscribe(roomId, subscriber);
  }

  disconnect(subscriber: Subscriber): void {
    this.expelledWhileJoining.delete(subscriber);
    const sockets = this.byUser.get(subscriber.userId);
    sockets?.delete(subscriber);
    if (sockets?.size === 0) this.byUser.delete(subscriber.userId);
    for (const [roomId, room] of this.rooms) {
      room.members.delete(subscriber);
      if (room.members.size === 0 && !room.timer) this.rooms.delete(roomId);
    }
  }

  subscribe(roomId: string, subscriber: Subscriber): void {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { id: roomId, members: new Set(), pending: [], timer: null, lastFlush: -Infinity };
      this.rooms.set(roomId, room);
    }
    room.members.add(subscriber);
  }

  /** Whether the socket hears the room: it is a member, as the room's log has it (M3, M4). */
  hears(roomId: string, subscriber: Subscriber): boolean {
    return this.rooms.get(roomId)?.members.has(subscriber) ?? false;
  }

  /** L4: a signal for every socket of this process subscribed to the room (receipts in a DM or group). */
  signalAll(roomId: string, json: string): void {
    for (const member of this.rooms.get(roomId)?.members ?? []) member.send(json);
  }

  /** L3: a signal for one person's own sockets that hear the room (their read marker, to their other devices). */
  signalUser(roomId: string, json: string, userId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    for (const socket of this.byUser.get(userId) ?? []) if (room.members.has(socket)) socket.send(json);
  }

  /**
   * A live signal (L2, L5): sent at once to every socket of this process
   * subscribed to the room, except those of `exceptUserId` (the user it is
   * about); not a log entry, so no seq, no batching, nothing kept.
   */
  signal(roomId: string, json: string, exceptUserId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    for (const member of room.members) if (member.userId !== exceptUserId) member.send(json);
  }

  /**
   * Live signals about users (L1 presence), gathered per socket: each item
   * goes to every socket of this process subscribed to any of its rooms,
   * except its own user's, and each socket gets one frame (`frameOf` its
   * items, in order) however many items reach it.
   */
  signalAbout<T>(items: readonly { roomIds: Iterable<string>; userId: string; item: T }[], frameOf: (items: T[]) => string): void {
    const bySocket = new Map<Subscriber, T[]>();
    for (const { roomIds, userId, item } of items) {
      const reached = new Set<Subscriber>();
      for (const roomId of roomIds) {
        for (const member of this.rooms.get(roomId)?.members ?? []) {
          if (member.userId === userId || reached.has(member)) continue;
          reached.add(member);
          let list = bySocket.get(member);
          if (!list) {
            list = [];
            bySocket.set(member, list);
          }
          list.push(item);
        }
      }
    }
    for (const [socket, list] of bySocket) socket.send(frameOf(list));
  }

  /** Entries of one room's log, in seq order, as they were committed. */
  publish(roomId: string, entries: LogEntry[]): void {
    for (const entry of entries) {
      const change = isEvent(entry) ? membershipChange(entry) : null;
      if (change) for (const userId of change.admits) for (const socket of this.byUser.get(userId) ?? []) this.subscribe(roomId, socket);
      const room = this.rooms.get(roomId);
      if (room) room.pending.push(entry);
      if (change && (change.expels === 'everyone' || change.expels.length > 0)) {
        if (room) this.flush(room);
        this.expel(roomId, change.expels);
      }
    }
    const room = this.rooms.get(roomId);
    if (!room || room.pending.length === 0 || room.timer) return;
    const wait = room.lastFlush + BROADCAST_INTERVAL_MS - performance.now();
    if (wait <= 0) this.flush(room);
    else room.timer = setTimeout(() => this.flush(room), wait);
  }

  private expel(roomId: string, userIds: string[] | 'everyone'): void {
    const room = this.rooms.get(roomId);
    const leaving = userIds === 'everyone' ? [...this.byUser.keys()] : userIds;
    for (const userId of leaving) {
      for (const socket of this.byUser.get(userId) ?? []) {
        room?.members.delete(socket);
        this.expelledWhileJoining.get(socket)?.add(roomId);
      }
    }
    if (room && userIds === 'everyone') room.members.clear();
  }

  private flush(room: Room): void {
    if (room.timer) clearTimeout(room.timer);
    room.timer = null;
    room.lastFlush = performance.now();
    const entries = room.pending;
    room.pending = [];
    if (room.members.size === 0) {
      this.rooms.delete(room.id);
      return;
    }
    if (entries.length === 0) return;
    for (const json of framesOf(entries)) for (const member of room.members) member.send(json);
  }
}

/** Consecutive messages in one `messages` frame (P4), consecutive other entries in one `events` frame (E2). */
export function framesOf(entries: LogEntry[]): string[] {
  const frames: string[] = [];
  let run: LogEntry[] = [];
  const close = () => {
    if (run.length === 0) return;
    const frame: MessagesFrame | EventsFrame = isEvent(run[0])
      ? { type: 'events', data: run as LogEvent[] }
      : { type: 'messages', data: run as ChatMessage[] };
    frames.push(JSON.stringify(frame));
    run = [];
  };
  for (const entry of entries) {
    if (run.length > 0 && isEvent(run[0]) !== isEvent(entry)) close();
    run.push(entry);
  }
  close();
  return frames;
}
