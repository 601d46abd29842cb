import type { ChatMessage, MessagesFrame } from '../protocol.js';

export interface Subscriber {
  /** Receives an already serialised P4 frame. */
  send(json: string): void;
}

/**
 * In-process fan-out (P4): every socket subscribed to a room gets each
 * committed batch as one frame, serialised once for all of them.
 */
export class RoomHub {
  private readonly rooms = new Map<string, Set<Subscriber>>();

  subscribe(roomId: string, subscriber: Subscriber): void {
    let members = this.rooms.get(roomId);
    if (!members) {
      members = new Set();
      this.rooms.set(roomId, members);
    }
    members.add(subscriber);
  }

  unsubscribeAll(subscriber: Subscriber): void {
    for (const [roomId, members] of this.rooms) {
      members.delete(subscriber);
      if (members.size === 0) this.rooms.delete(roomId);
    }
  }

  publish(roomId: string, messages: ChatMessage[]): void {
    const members = this.rooms.get(roomId);
    if (!members || messages.length === 0) return;
    const frame: MessagesFrame = { type: 'messages', data: messages };
    const json = JSON.stringify(frame);
    for (const member of members) member.send(json);
  }
}
