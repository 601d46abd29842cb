import Type, { type Static } from 'typebox';
import { RoomIdSchema, UserIdSchema } from './common.js';

/**
 * L2: "I am typing in this room" (`typing: true`), or "I stopped" (`false`:
 * sent, cleared the box, left it). A live signal: relayed to the room's
 * other members on every instance (L5), never stored, never queued offline.
 */
export const TypingSignalSchema = Type.Object({
  type: Type.Literal('typing'),
  room_id: RoomIdSchema,
  typing: Type.Boolean(),
});
export type TypingSignal = Static<typeof TypingSignalSchema>;

/** L2: the same, as the room's other members hear it, naming who types. */
export const TypingFrameSchema = Type.Object({
  type: Type.Literal('typing'),
  room_id: RoomIdSchema,
  user_id: UserIdSchema,
  typing: Type.Boolean(),
});
export type TypingFrame = Static<typeof TypingFrameSchema>;
