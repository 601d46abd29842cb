import Type, { type Static } from 'typebox';
import { MemberAction } from './constants.js';
import { RoomIdSchema, SeqSchema, TimeSchema, UserIdSchema } from './common.js';
import { RoomKindSchema } from './rooms.js';

/** What every room log entry that is not a new message carries (E2). */
const entry = {
  /** Server ULID of the entry. */
  id: Type.String(),
  seq: SeqSchema,
  room_id: RoomIdSchema,
  /** Who did it. */
  user_id: UserIdSchema,
  client_id: Type.Union([Type.String(), Type.Null()]),
  created_at: TimeSchema,
};


/** M4: people joined, left, were added or removed. */
export const MemberEventSchema = Type.Object({
  ...entry,
  kind: Type.Literal('member'),
  action: Type.Enum(MemberAction),
  user_ids: Type.Array(UserIdSchema),
  /** When the owner left: who owns the room now (null: nobody is left in it). */
  owner_id: Type.Optional(Type.Union([UserIdSchema, Type.Null()])),
});
export type MemberEvent = Static<typeof MemberEventSchema>;

/** The room was created (`created`), renamed (`name`) or deleted (`deleted`). */
export const RoomEventSchema = Type.Object({
  ...entry,
  kind: Type.Literal('room'),
  name: Type.Optional(Type.String()),
  deleted: Type.Optional(Type.Literal(true)),
  /** On the room's first entry: its kind (M1). */
  created: Type.Optional(RoomKindSchema),
});
export type RoomEvent = Static<typeof RoomEventSchema>;

export const LogEventSchema = Type.Union([MemberEventSchema, RoomEventSchema]);
export type LogEvent = Static<typeof LogEventSchema>;

/** E2: log entries that are not new messages, in seq order. */
export const EventsFrameSchema = Type.Object({
  type: Type.Literal('events'),
  data: Type.Array(LogEventSchema),
});
export type EventsFrame = Static<typeof EventsFrameSchema>;
