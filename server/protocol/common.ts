import Type, { type Static } from 'typebox';
import { CLIENT_ID_PATTERN, ErrorCode, ROOM_ID_PATTERN } from './constants.js';

/** Building blocks every domain's frames share. */

export const RoomIdSchema = Type.String({ pattern: ROOM_ID_PATTERN, description: 'Room id: "general", a lower-case ULID, or a DM id (M2)' });
export const ClientIdSchema = Type.String({ pattern: CLIENT_ID_PATTERN, description: 'Minted by the client at enqueue; makes the item idempotent (S3, E3)' });
export const UserIdSchema = Type.String({ format: 'uuid' });
export const SeqSchema = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Position in the room log (gap-free, commit order: S2, E1)' });
export const TimeSchema = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
export const ErrorCodeSchema = Type.Enum(ErrorCode);

/** P8, and the body of every REST error. */
export const ErrorFrameSchema = Type.Object({
  type: Type.Literal('error'),
  code: ErrorCodeSchema,
  message: Type.String(),
});
export type ErrorFrame = Static<typeof ErrorFrameSchema>;

/** P7: these items will never be accepted; do not resend them. */
export const RejectedFrameSchema = Type.Object({
  type: Type.Literal('rejected'),
  client_ids: Type.Array(Type.String()),
  code: ErrorCodeSchema,
  message: Type.String(),
});
export type RejectedFrame = Static<typeof RejectedFrameSchema>;

/**
 * P3 (messages) and P11 (ops): sent to the sender only, after commit; one
 * element per item, in request order. For a message: its id and seq; for an
 * op: the id and seq of the last log entry it made (an op that changed
 * nothing, such as joining a room you are in, gets a fresh id that names no
 * entry and the room's seq at the time).
 */
export const AckFrameSchema = Type.Object({
  type: Type.Literal('message_ids'),
  status: Type.Literal('success'),
  message_ids: Type.Array(Type.String()),
  client_ids: Type.Array(Type.Union([Type.String(), Type.Null()])),
  seqs: Type.Array(Type.Integer()),
});
export type AckFrame = Static<typeof AckFrameSchema>;

/** P9 */
export const PingFrameSchema = Type.Object({ type: Type.Literal('ping') });
export type PingFrame = Static<typeof PingFrameSchema>;
export const PongFrameSchema = Type.Object({ type: Type.Literal('pong') });
export type PongFrame = Static<typeof PongFrameSchema>;
