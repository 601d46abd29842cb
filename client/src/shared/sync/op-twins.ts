import { MESSAGES_PATH, OpName, ROOMS_PATH, type Op } from '@whisper/protocol';

/** P12: one op as its REST twin's request (path relative to the origin; the op's client_id goes as Idempotency-Key). */
export interface OpRequest {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

const room = (roomId: string) => `${ROOMS_PATH}/${encodeURIComponent(roomId)}`;
const message = (messageId: string) => `${MESSAGES_PATH}/${encodeURIComponent(messageId)}`;

/**
 * The REST twin of an op (P12), or null where there is none to build:
 * removing several members at once (the twin removes one), or an op on a
 * message whose server id is not known: `messageId` is the op's
 * `message_id`, or the caller's resolution of its `target_client_id` (over
 * the socket the server resolves that itself).
 */
export function opRequest(op: Op, messageId: string | undefined): OpRequest | null {
  switch (op.op) {
    case OpName.RoomCreate:
      // A DM too: its id (M2) is in the body, as the socket's op carries it.
      return { method: 'POST', path: ROOMS_PATH, body: { id: op.room_id, name: op.name, kind: op.kind, user_ids: op.user_ids } };
    case OpName.RoomUpdate:
      return { method: 'PATCH', path: room(op.room_id), body: { name: op.name } };
    case OpName.RoomDelete:
      return { method: 'DELETE', path: room(op.room_id) };
    case OpName.MemberAdd:
      return { method: 'POST', path: `${room(op.room_id)}/members`, body: { user_ids: op.user_ids } };
    case OpName.MemberRemove:
      return op.user_ids.length === 1 ? { method: 'DELETE', path: `${room(op.room_id)}/members/${encodeURIComponent(op.user_ids[0])}` } : null;
    case OpName.Read:
      return { method: 'POST', path: `${room(op.room_id)}/read`, body: { seq: op.seq } };
    case OpName.Mute:
      return { method: 'PUT', path: `${room(op.room_id)}/mute`, body: { muted: op.muted } };
    default: {
      const id = messageId;
      if (id === undefined) return null;
      switch (op.op) {
        case OpName.Edit:
          return { method: 'PATCH', path: message(id), body: { content: op.content } };
        case OpName.Delete:
          return { method: 'DELETE', path: message(id) };
        case OpName.React:
          return { method: 'POST', path: `${message(id)}/reactions`, body: { emoji: op.emoji } };
        case OpName.Unreact:
          return { method: 'DELETE', path: `${message(id)}/reactions/${encodeURIComponent(op.emoji)}` };
      }
    }
  }
}
