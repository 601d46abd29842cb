import Type, { type Static } from 'typebox';
import { RoomIdSchema, TimeSchema, UserIdSchema } from './common.js';
import { PresenceStatus } from './constants.js';

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

export const PresenceEntrySchema = Type.Object({
  user_id: UserIdSchema,
  status: Type.Union([Type.Literal(PresenceStatus.Online), Type.Literal(PresenceStatus.Offline)]),
  last_seen: Type.Union([TimeSchema, Type.Null()], { description: 'When their last socket went away; null while online, and for someone never seen offline' }),
});
export type PresenceEntry = Static<typeof PresenceEntrySchema>;

/**
 * L1: who is online among the people the user shares rooms with. Right
 * after the `rooms` frame of a full sync (the snapshot), then whenever one
 * of them comes online or goes offline (L5: from any instance). Never about
 * the user themself.
 */
export const PresenceFrameSchema = Type.Object({
  type: Type.Literal('presence'),
  data: Type.Array(PresenceEntrySchema),
});
export type PresenceFrame = Static<typeof PresenceFrameSchema>;
