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

/** X2: the author changed a message's text; content is null once the message is deleted (its old words go with it). */
export const EditEventSchema = Type.Object({
  ...entry,
  kind: Type.Literal('edit'),
  message_id: Type.String(),
  content: Type.Union([Type.String(), Type.Null()]),
  edited_at: TimeSchema,
});
export type EditEvent = Static<typeof EditEventSchema>;

/** X2: the message is deleted (by its author, or by the group's owner). */
export const DeleteEventSchema = Type.Object({ ...entry, kind: Type.Literal('delete'), message_id: Type.String() });
export type DeleteEvent = Static<typeof DeleteEventSchema>;

/** X3: a reaction added (`react`) or taken back (`unreact`) by user_id. */
const reaction = { ...entry, message_id: Type.String(), emoji: Type.String() };
export const ReactEventSchema = Type.Object({ ...reaction, kind: Type.Literal('react') });
export const UnreactEventSchema = Type.Object({ ...reaction, kind: Type.Literal('unreact') });
export const ReactionEventSchema = Type.Union([ReactEventSchema, UnreactEventSchema]);
export type ReactionEvent = Static<typeof ReactionEventSchema>;

/** Entries that change a message rather than the room (E5 resolves them by seq). */
export type MessageEvent = EditEvent | DeleteEvent | ReactionEvent;

export const LogEventSchema = Type.Union([MemberEventSchema, RoomEventSchema, EditEventSchema, DeleteEventSchema, ReactEventSchema, UnreactEventSchema]);
export type LogEvent = Static<typeof LogEventSchema>;

/** E2: log entries that are not new messages, in seq order. */
export const EventsFrameSchema = Type.Object({
  type: Type.Literal('events'),
  data: Type.Array(LogEventSchema),
});
export type EventsFrame = Static<typeof EventsFrameSchema>;
