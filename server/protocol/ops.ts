import Type, { type Static } from 'typebox';
import { MAX_BATCH_SIZE, OpName } from './constants.js';
import { ClientIdSchema, RoomIdSchema, SeqSchema } from './common.js';
import { EmojiSchema, MessageIdSchema } from './messages.js';
import { RoomKindSchema, UserIdsSchema } from './rooms.js';

/** What every op item carries (P11). */
const op = <Name extends OpName>(name: Name) => ({
  client_id: ClientIdSchema,
  op: Type.Literal(name),
  room_id: RoomIdSchema,
});

/** M2: the new room's id (minted by the client) is room_id; for a DM it must be dmRoomId(creator, other). */
export const RoomCreateOpSchema = Type.Object({
  ...op(OpName.RoomCreate),
  name: Type.String({ description: 'Empty for a DM' }),
  kind: RoomKindSchema,
  user_ids: UserIdsSchema,
});
export const RoomUpdateOpSchema = Type.Object({ ...op(OpName.RoomUpdate), name: Type.String() });
export const RoomDeleteOpSchema = Type.Object({ ...op(OpName.RoomDelete) });
/** Adding yourself to a public room is joining it. */
export const MemberAddOpSchema = Type.Object({ ...op(OpName.MemberAdd), user_ids: UserIdsSchema });
/** Removing yourself is leaving. */
export const MemberRemoveOpSchema = Type.Object({ ...op(OpName.MemberRemove), user_ids: UserIdsSchema });

/**
 * X1–X4: an op on a message names it by `message_id`, or, for the sender's
 * own message that may not be acked yet, by `target_client_id` (P11); one of
 * the two, in the room named by room_id.
 */
const target = {
  message_id: Type.Optional(MessageIdSchema),
  target_client_id: Type.Optional(ClientIdSchema),
};
export const EditOpSchema = Type.Object({ ...op(OpName.Edit), ...target, content: Type.String() });
export const DeleteOpSchema = Type.Object({ ...op(OpName.Delete), ...target });
export const ReactOpSchema = Type.Object({ ...op(OpName.React), ...target, emoji: EmojiSchema });
export const UnreactOpSchema = Type.Object({ ...op(OpName.Unreact), ...target, emoji: EmojiSchema });

/** L3: read up to `seq` (a seq past the room's end counts as its end); a marker never moves back. */
export const ReadOpSchema = Type.Object({ ...op(OpName.Read), seq: SeqSchema });

/** N1: mute (true) or unmute (false) the room for yourself; muted rooms never notify. */
export const MuteOpSchema = Type.Object({ ...op(OpName.Mute), muted: Type.Boolean() });

export const OpSchema = Type.Union([
  RoomCreateOpSchema,
  RoomUpdateOpSchema,
  RoomDeleteOpSchema,
  MemberAddOpSchema,
  MemberRemoveOpSchema,
  EditOpSchema,
  DeleteOpSchema,
  ReactOpSchema,
  UnreactOpSchema,
  ReadOpSchema,
  MuteOpSchema,
]);
export type Op = Static<typeof OpSchema>;
export type RoomCreateOp = Static<typeof RoomCreateOpSchema>;
export type EditOp = Static<typeof EditOpSchema>;
export type DeleteOp = Static<typeof DeleteOpSchema>;
export type ReactOp = Static<typeof ReactOpSchema>;
export type UnreactOp = Static<typeof UnreactOpSchema>;
export type ReadOp = Static<typeof ReadOpSchema>;
export type MuteOp = Static<typeof MuteOpSchema>;
/** The ops that act on a message (X1–X4). */
export type MessageOp = EditOp | DeleteOp | ReactOp | UnreactOp;

/** P11 */
export const OpsFrameSchema = Type.Object({
  type: Type.Literal('ops'),
  data: Type.Array(OpSchema, { minItems: 1, maxItems: MAX_BATCH_SIZE }),
});
export type OpsFrame = Static<typeof OpsFrameSchema>;
/** What is checked of an ops frame as a whole; each op is then checked on its own (P7 each). */
export const OpsEnvelopeSchema = Type.Object({ ...OpsFrameSchema.properties, data: Type.Array(Type.Unknown(), { minItems: 1 }) });
