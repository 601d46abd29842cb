import Type, { type Static } from 'typebox';
import { MAX_DELIVERED_ROOMS } from './constants.js';
import { ClientIdSchema, RoomIdSchema, SeqSchema, UserIdSchema } from './common.js';

/**
 * L3, L4: one person's markers in a room: the newest seq one of their
 * devices has stored (delivered) and the newest they have read (read; never
 * behind delivered). Both only ever move forward.
 */
export const ReceiptSchema = Type.Object({
  user_id: UserIdSchema,
  delivered_seq: SeqSchema,
  read_seq: SeqSchema,
});
export type Receipt = Static<typeof ReceiptSchema>;

/**
 * L4: client → server, how far this device has stored each of these rooms'
 * logs (its catch-up cursor), at most once per DELIVERED_REPORT_INTERVAL_MS.
 * No answer. DMs and groups only: a public room has no receipts.
 */
export const DeliveredFrameSchema = Type.Object({
  type: Type.Literal('delivered'),
  data: Type.Array(Type.Object({ room_id: RoomIdSchema, seq: SeqSchema }), { minItems: 1, maxItems: MAX_DELIVERED_ROOMS }),
});
export type DeliveredFrame = Static<typeof DeliveredFrameSchema>;

/**
 * L3, L4: server → client, markers that moved. In a DM or group every member
 * hears everyone's (the ticks beside their own messages); in a public room
 * only the person's own devices hear theirs (unread counts follow them from
 * device to device), and nobody else's.
 */
export const ReceiptsFrameSchema = Type.Object({
  type: Type.Literal('receipts'),
  room_id: RoomIdSchema,
  data: Type.Array(ReceiptSchema),
});
export type ReceiptsFrame = Static<typeof ReceiptsFrameSchema>;

/** P12: `POST /v1/rooms/{id}/read`, the REST twin of the `read` op ("mark chat as read"). */
export const ReadBodySchema = Type.Object({
  seq: SeqSchema,
  client_id: Type.Optional(ClientIdSchema),
});
export const ReadResponseSchema = Type.Object({ room_id: RoomIdSchema, read_seq: SeqSchema });
export type ReadResponse = Static<typeof ReadResponseSchema>;
