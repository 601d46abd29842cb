import type { ChatMessage, MessagesFrame } from '../protocol.js';

export interface Subscriber {
  /** Receives an already serialised P4 frame. */
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
  members: Set<Subscriber>;
  /** Published, not yet sent: in seq order, as published. */
  pending: ChatMessage[];
  timer: NodeJS.Timeout | null;
  lastFlush: number;
}

/**
 * In-process fan-out (P4): every socket subscribed to a room gets each
 * committed batch, serialised once for all of them. A frame holds whole
 * commits, in seq order: one commit, or, while commits follow each other
 * within BROADCAST_INTERVAL_MS, all that were published since the last frame.
 */
export class RoomHub {
  private readonly rooms = new Map<string, Room>();

  subscribe(roomId: string, subscriber: Subscriber): void {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { members: new Set(), pending: [], timer: null, lastFlush: -Infinity };
      this.rooms.set(roomId, room);
    }
    room.members.add(subscriber);
  }

  unsubscribeAll(subscriber: Subscriber): void {
    for (const [roomId, room] of this.rooms) {
      room.members.delete(subscriber);
      // A pending frame still goes to the members it was published to (none).
      if (room.members.size === 0) this.rooms.delete(roomId);
    }
  }

  publish(roomId: string, messages: ChatMessage[]): void {
    const room = this.rooms.get(roomId);
    if (!room || messages.length === 0) return;
    for (const message of messages) room.pending.push(message);
    if (room.timer) return;
    const wait = room.lastFlush + BROADCAST_INTERVAL_MS - performance.now();
    if (wait <= 0) this.flush(room);
    else room.timer = setTimeout(() => this.flush(room), wait);
  }

  private flush(room: Room): void {
    room.timer = null;
    room.lastFlush = performance.now();
    const data = room.pending;
    room.pending = [];
    if (data.length === 0 || room.members.size === 0) return;
    const frame: MessagesFrame = { type: 'messages', data };
    const json = JSON.stringify(frame);
    for (const member of room.members) member.send(json);
  }
}
