import Type, { type Static } from 'typebox';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, MAX_BATCH_SIZE, MAX_CONTENT_LENGTH, MAX_EMOJI_LENGTH, MESSAGE_ID_PATTERN, REPLY_EXCERPT_LENGTH } from './constants.js';
import { AttachmentRefsSchema, AttachmentSchema } from './media.js';
import { AckFrameSchema, ClientIdSchema, RejectedFrameSchema, RoomIdSchema, SeqSchema, TimeSchema, UserIdSchema } from './common.js';

export const MessageIdSchema = Type.String({ pattern: MESSAGE_ID_PATTERN, description: 'Server ULID of a message' });
export const EmojiSchema = Type.String({ minLength: 1, maxLength: MAX_EMOJI_LENGTH, description: 'One emoji (a single grapheme, ZWJ sequences included)' });

/**
 * P2: one item a client sends. Items are checked one by one on the server
 * (a bad one is refused with P7 without failing the rest), so the frame's
 * schema leaves them open and this one documents them.
 */
export const OutgoingMessageSchema = Type.Object({
  client_id: Type.Optional(ClientIdSchema),
  room_id: Type.Optional(RoomIdSchema),
  content: Type.String({ description: '1–4000 characters, not only white space; with attachments, 0–4000 (a caption)' }),
  user_id: Type.Optional(Type.String({ description: 'Tolerated for seed-style clients; must be the socket\'s identity (P1)' })),
  reply_to: Type.Optional(
    Type.String({ description: 'X1: the quoted message of the same room: its server id, or the sender\'s own client_id for a message that may not be acked yet. One that names nothing in the room is dropped (the message is stored without a quote).' }),
  ),
  attachments: Type.Optional(AttachmentRefsSchema),
});
export type OutgoingMessage = Static<typeof OutgoingMessageSchema>;

/** X1, E4: what a reply quotes of its target, as the target stands now. */
export const ReplyQuoteSchema = Type.Object({
  id: Type.String({ description: 'The quoted message\'s server id' }),
  user_id: UserIdSchema,
  seq: SeqSchema,
  excerpt: Type.String({ maxLength: REPLY_EXCERPT_LENGTH, description: `Its first ${REPLY_EXCERPT_LENGTH} characters; empty once it is deleted` }),
  deleted: Type.Optional(Type.Literal(true)),
});
export type ReplyQuote = Static<typeof ReplyQuoteSchema>;

/** X3, E4: the reactions to a message, one per emoji, in the order each emoji was first used. */
export const ReactionSchema = Type.Object({
  emoji: Type.String(),
  count: Type.Integer({ minimum: 1 }),
  /** Who reacted with it, earliest first. */
  user_ids: Type.Array(UserIdSchema),
});
export type Reaction = Static<typeof ReactionSchema>;

/**
 * P4: a stored message as the server broadcasts and serves it, as it stands
 * now (E4): the latest edit's content, a tombstone once deleted. The fields
 * after created_at appear only when they say something (a reply, an edit, a
 * deletion, reactions), so seed-style clients read the P4 fields as before.
 */
export const ChatMessageSchema = Type.Object({
  id: Type.String({ description: 'Server ULID' }),
  seq: SeqSchema,
  room_id: Type.String(),
  user_id: UserIdSchema,
  client_id: Type.Union([Type.String(), Type.Null()]),
  content: Type.String({ description: 'Empty once deleted' }),
  created_at: TimeSchema,
  reply_to: Type.Optional(ReplyQuoteSchema),
  edited_at: Type.Optional(TimeSchema),
  deleted: Type.Optional(Type.Literal(true)),
  reactions: Type.Optional(Type.Array(ReactionSchema)),
  /** F3: only on a message that has them (and not once deleted). */
  attachments: Type.Optional(Type.Array(AttachmentSchema)),
});
export type ChatMessage = Static<typeof ChatMessageSchema>;

/** P2 */
export const SendFrameSchema = Type.Object({
  type: Type.Literal('messages'),
  data: Type.Array(OutgoingMessageSchema, { minItems: 1 }),
});
export type SendFrame = Static<typeof SendFrameSchema>;
/** What is checked of a send as a whole; its items are then checked one by one (P7 each). */
export const SendEnvelopeSchema = Type.Object({ ...SendFrameSchema.properties, data: Type.Array(Type.Unknown(), { minItems: 1 }) });

/** P4 (and P5's body without has_more) */
export const MessagesFrameSchema = Type.Object({
  type: Type.Literal('messages'),
  data: Type.Array(ChatMessageSchema),
});
export type MessagesFrame = Static<typeof MessagesFrameSchema>;

/** P10: the P2 envelope as a REST body. */
export const SendBodySchema = Type.Object({
  type: Type.Optional(Type.Literal('messages')),
  data: Type.Array(Type.Unknown({ description: 'An OutgoingMessage: {"client_id"?, "room_id"? (default "general"), "content", "user_id"?}' }), {
    minItems: 1,
    maxItems: MAX_BATCH_SIZE,
  }),
});

/** P10 answers the P3 frame plus any P7 rejections. */
export const RestSendResponseSchema = Type.Object({
  ...AckFrameSchema.properties,
  rejected: Type.Array(RejectedFrameSchema),
});
export type RestSendResponse = Static<typeof RestSendResponseSchema>;

/** P5: GET /v1/chat/messages */
export const HistoryQuerySchema = Type.Object({
  room_id: Type.Optional(RoomIdSchema),
  after_seq: Type.Optional(SeqSchema),
  before_seq: Type.Optional(SeqSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: HISTORY_DEFAULT_LIMIT, description: `Larger than ${HISTORY_MAX_LIMIT} reads as ${HISTORY_MAX_LIMIT} (P5)` })),
});
export const HistoryResponseSchema = Type.Object({
  type: Type.Literal('messages'),
  data: Type.Array(ChatMessageSchema),
  has_more: Type.Boolean({ description: 'More messages exist beyond this page in the direction read' }),
});
export type HistoryResponse = Static<typeof HistoryResponseSchema>;

// REST twins of the message ops (P12) ------------------------------------------

/** Optional idempotency for REST twins: an Idempotency-Key header or this field (E3). */
const idempotency = { client_id: Type.Optional(ClientIdSchema) };

export const MessageParamsSchema = Type.Object({ id: MessageIdSchema });
export const ReactionParamsSchema = Type.Object({ id: MessageIdSchema, emoji: EmojiSchema });
export const EditMessageBodySchema = Type.Object({ content: Type.String({ maxLength: MAX_CONTENT_LENGTH * 2, description: `1–${MAX_CONTENT_LENGTH} characters, not only white space` }), ...idempotency });
export const ReactionBodySchema = Type.Object({ emoji: EmojiSchema, ...idempotency });
