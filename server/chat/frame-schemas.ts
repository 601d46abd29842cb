import Type, { type Static } from 'typebox';
import {
  CLIENT_ID_PATTERN,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  MAX_BATCH_SIZE,
  ROOM_ID_PATTERN,
  type ChatMessage,
  type SyncFrame,
} from '../protocol.js';

/**
 * JSON Schemas for what the server reads and serves: they validate untrusted
 * input and document the REST API (/docs). The types they describe are the
 * ones in protocol.ts; the assignments at the bottom keep the two in step.
 */

export const RoomId = Type.String({ pattern: ROOM_ID_PATTERN, description: 'Room slug, e.g. "general"' });
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Per-room sequence number (gap-free, commit order)' });

/**
 * P2 as a REST body (P10). Items are not typed here: each one is checked on
 * its own (message-validation.ts) so that a bad one is rejected (P7) without
 * failing the rest, exactly as over the socket.
 */
export const SendBodySchema = Type.Object({
  type: Type.Optional(Type.Literal('messages')),
  data: Type.Array(
    Type.Unknown({
      description: `A P2 item: {"client_id"?: ULID matching ${CLIENT_ID_PATTERN}, "room_id"?: room (default "general"), "content": 1–4000 characters, "user_id"?: must be the token's user}`,
    }),
    { minItems: 1, maxItems: MAX_BATCH_SIZE },
  ),
});

/** P2 over the socket: the envelope only; items are validated one by one. */
export const SendFrameSchema = Type.Object({
  type: Type.Literal('messages'),
  data: Type.Array(Type.Unknown(), { minItems: 1 }),
});

export const SyncFrameSchema = Type.Object({
  type: Type.Literal('sync'),
  room_id: RoomId,
  after_seq: Seq,
});

export const ChatMessageSchema = Type.Object({
  id: Type.String({ description: 'Server ULID' }),
  seq: Seq,
  room_id: Type.String(),
  user_id: Type.String({ format: 'uuid' }),
  client_id: Type.Union([Type.String(), Type.Null()]),
  content: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const HistoryQuerySchema = Type.Object({
  room_id: Type.Optional(RoomId),
  after_seq: Type.Optional(Seq),
  before_seq: Type.Optional(Seq),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HISTORY_MAX_LIMIT, default: HISTORY_DEFAULT_LIMIT })),
});

export const HistoryResponseSchema = Type.Object({
  type: Type.Literal('messages'),
  data: Type.Array(ChatMessageSchema),
  has_more: Type.Boolean({ description: 'More messages exist beyond this page in the direction read' }),
});

export const ErrorResponseSchema = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
});

export const RejectedSchema = Type.Object({
  type: Type.Literal('rejected'),
  client_ids: Type.Array(Type.String()),
  code: Type.String(),
  message: Type.String(),
});

export const AckSchema = Type.Object({
  type: Type.Literal('message_ids'),
  status: Type.Literal('success'),
  message_ids: Type.Array(Type.String()),
  client_ids: Type.Array(Type.Union([Type.String(), Type.Null()])),
  seqs: Type.Array(Type.Integer()),
});

export const RestSendResponseSchema = Type.Object({
  ...AckSchema.properties,
  rejected: Type.Array(RejectedSchema),
});

export const SessionResponseSchema = Type.Object({
  user_id: Type.String({ format: 'uuid' }),
  token: Type.String({ description: 'Bearer token; also accepted as ?token= on the socket' }),
});

// Compile-time links to protocol.ts: validated input must be usable as the wire type.
const _sync: SyncFrame = {} as Static<typeof SyncFrameSchema>;
const _message: ChatMessage = {} as Static<typeof ChatMessageSchema>;
void _sync;
void _message;
