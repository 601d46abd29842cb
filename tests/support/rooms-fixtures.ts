import { ulid } from 'ulid';
import type { AckFrame, Op, RejectedFrame, ServerFrame } from '../../server/protocol/index.js';
import type { TestSocket } from './ws-client.js';

/** An op's answer: its ack entry, or its rejection. */
export type OpAnswer = { ok: true; id: string; seq: number } | { ok: false; code: string; message: string };

type OpInput = Op extends infer T ? (T extends Op ? Omit<T, 'client_id'> & { client_id?: string } : never) : never;

/** A P11 item with a fresh client_id unless one is given. */
export function opItem(op: OpInput): Op {
  return { client_id: ulid(), ...op } as Op;
}

function answerFor(clientId: string, frame: ServerFrame): OpAnswer | null {
  if (frame.type === 'message_ids') {
    const i = (frame as AckFrame).client_ids.indexOf(clientId);
    return i === -1 ? null : { ok: true, id: frame.message_ids[i], seq: frame.seqs[i] };
  }
  if (frame.type === 'rejected' && (frame as RejectedFrame).client_ids.includes(clientId)) return { ok: false, code: frame.code, message: frame.message };
  return null;
}

/** Sends one op over the socket and waits for its ack or rejection. */
export async function sendOp(socket: TestSocket, op: OpInput): Promise<OpAnswer> {
  const item = opItem(op);
  socket.send({ type: 'ops', data: [item] });
  const frame = await socket.next((f) => answerFor(item.client_id, f) !== null);
  return answerFor(item.client_id, frame)!;
}

/** Creates a group (or public room) owned by the socket's user, with these members; returns its id. */
export async function createRoom(socket: TestSocket, options: { kind?: 'group' | 'public'; name?: string; userIds?: string[] } = {}): Promise<string> {
  const roomId = ulid().toLowerCase();
  const answer = await sendOp(socket, { op: 'room.create', room_id: roomId, name: options.name ?? 'Room', kind: options.kind ?? 'group', user_ids: options.userIds ?? [] });
  if (!answer.ok) throw new Error(`room.create refused: ${answer.code} ${answer.message}`);
  return roomId;
}

/** Authorized REST call; JSON in and out. */
export async function api(baseUrl: string, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { data?: unknown[] } };
}
