import Type, { type Static } from 'typebox';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, MAX_BATCH_SIZE } from './constants.js';
import { AckFrameSchema, ClientIdSchema, RejectedFrameSchema, RoomIdSchema, SeqSchema, TimeSchema, UserIdSchema } from './common.js';

/**
 * P2: one item a client sends. Items are checked one by one on the server
 * (a bad one is refused with P7 without failing the rest), so the frame's
 * schema leaves them open and this one documents them.
 */
export const OutgoingMessageSchema = Type.Object({
  client_id: Type.Optional(ClientIdSchema),
  room_id: Type.Optional(RoomIdSchema),
  content: Type.String({ description: '1–4000 characters, not only white space' }),
  user_id: Type.Optional(Type.String({ description: 'Tolerated for seed-style clients; must be the socket\'s identity (P1)' })),
});
export type OutgoingMessage = Static<typeof OutgoingMessageSchema>;

/** P4: a stored message as the server broadcasts and serves it. */
export const ChatMessageSchema = Type.Object({
  id: Type.String({ description: 'Server ULID' }),
  seq: SeqSchema,
  room_id: Type.String(),
  user_id: UserIdSchema,
  client_id: Type.Union([Type.String(), Type.Null()]),
  content: Type.String(),
  created_at: TimeSchema,
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
