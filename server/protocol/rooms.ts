import Type, { type Static } from 'typebox';
import { MAX_MEMBERS_PER_OP, MAX_ROOM_NAME_LENGTH, RoomKind } from './constants.js';
import { ClientIdSchema, RoomIdSchema, SeqSchema, TimeSchema, UserIdSchema } from './common.js';
import { UserSchema } from './identity.js';
import { ReceiptSchema } from './receipts.js';

export const RoomKindSchema = Type.Enum(RoomKind);
export const RoomNameSchema = Type.String({ minLength: 1, maxLength: MAX_ROOM_NAME_LENGTH, description: 'Shown as typed, trimmed; a DM has none (empty)' });
export const UserIdsSchema = Type.Array(UserIdSchema, { maxItems: MAX_MEMBERS_PER_OP, description: `At most ${MAX_MEMBERS_PER_OP} people` });

/** The newest message of a room, for the room list's preview (M6). */
export const LastMessageSchema = Type.Object({
  seq: SeqSchema,
  user_id: UserIdSchema,
  /** The start of the content, for a one-line preview. */
  excerpt: Type.String(),
  created_at: TimeSchema,
  /** X2: the newest message was deleted (the excerpt is empty). */
  deleted: Type.Optional(Type.Literal(true)),
});
export type LastMessage = Static<typeof LastMessageSchema>;

/** A room as its members see it (M1, M6; P12 answers). */
export const RoomSchema = Type.Object({
  id: RoomIdSchema,
  name: Type.String(),
  kind: RoomKindSchema,
  /** The creator, who may rename and delete it (M1); null for `general` and DMs. */
  owner_id: Type.Union([UserIdSchema, Type.Null()]),
  /** Member ids in joining order; for large public rooms the first 200 only (see member_count). */
  members: Type.Array(UserIdSchema),
  member_count: Type.Integer({ minimum: 0 }),
  /** The room log's newest seq (E1). */
  last_seq: SeqSchema,
  last_activity_at: TimeSchema,
  last_message: Type.Union([LastMessageSchema, Type.Null()]),
  created_at: TimeSchema,
  /** L3: how far you have read it (your own rooms only). */
  read_seq: Type.Optional(SeqSchema),
  /** M6: messages by others after read_seq that are not deleted, counted up to UNREAD_COUNT_CAP. */
  unread: Type.Optional(Type.Integer({ minimum: 0 })),
  /** L4: DMs and groups: the other members' markers. */
  receipts: Type.Optional(Type.Array(ReceiptSchema)),
  /** N1: you muted it (your own rooms only): no notifications from it. */
  muted: Type.Optional(Type.Boolean()),
});
export type Room = Static<typeof RoomSchema>;

/**
 * M5: the first answer to a sync naming many rooms: every room the user is
 * in now, and the people those rooms' member lists name.
 */
export const RoomsFrameSchema = Type.Object({
  type: Type.Literal('rooms'),
  data: Type.Array(RoomSchema),
  users: Type.Array(UserSchema),
});
export type RoomsFrame = Static<typeof RoomsFrameSchema>;

// REST (P12) -------------------------------------------------------------------

/** Optional idempotency for REST twins: an Idempotency-Key header or this field (E3). */
const idempotency = { client_id: Type.Optional(ClientIdSchema) };

export const CreateRoomBodySchema = Type.Object({
  id: Type.Optional(RoomIdSchema),
  name: Type.String({ maxLength: MAX_ROOM_NAME_LENGTH }),
  kind: RoomKindSchema,
  user_ids: Type.Optional(UserIdsSchema),
  ...idempotency,
});
export const UpdateRoomBodySchema = Type.Object({ name: RoomNameSchema, ...idempotency });
export const AddMembersBodySchema = Type.Object({ user_ids: Type.Array(UserIdSchema, { minItems: 1, maxItems: MAX_MEMBERS_PER_OP }), ...idempotency });
export const DmBodySchema = Type.Object({ user_id: UserIdSchema, ...idempotency });
export const RoomParamsSchema = Type.Object({ id: RoomIdSchema });
export const MemberParamsSchema = Type.Object({ id: RoomIdSchema, user_id: UserIdSchema });
export const RoomsQuerySchema = Type.Object({
  discover: Type.Optional(Type.Literal('public', { description: 'List the public rooms anyone may join, instead of your rooms' })),
});
export const RoomsResponseSchema = Type.Object({ data: Type.Array(RoomSchema), users: Type.Array(UserSchema) });
export type RoomsResponse = Static<typeof RoomsResponseSchema>;
