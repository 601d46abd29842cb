import Type, { type Static } from 'typebox';
import { PushKind } from './constants.js';
import { ClientIdSchema, RoomIdSchema } from './common.js';

/** N1: `GET /v1/push/key`: the VAPID public key, for pushManager.subscribe's applicationServerKey. */
export const PushKeyResponseSchema = Type.Object({
  key: Type.String({ description: 'The VAPID public key: an uncompressed P-256 point, base64url without padding' }),
});
export type PushKeyResponse = Static<typeof PushKeyResponseSchema>;

const Base64UrlSchema = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]+={0,2}$', minLength: 16, maxLength: 256, description });

/**
 * N1: the browser's PushSubscription JSON (`subscription.toJSON()`), as
 * `POST` and `DELETE /v1/push/subscriptions` take it. `previews` (N2): show
 * the start of each message in the notification; without it a notification
 * says only who wrote, and where.
 */
export const PushSubscriptionBodySchema = Type.Object({
  endpoint: Type.String({ format: 'uri', pattern: '^https://', maxLength: 2000, description: "The push service's URL for this device (https)" }),
  expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  keys: Type.Object({
    p256dh: Base64UrlSchema("The device's P-256 public key (RFC 8291)"),
    auth: Base64UrlSchema('The 16-byte authentication secret (RFC 8291)'),
  }),
  previews: Type.Optional(Type.Boolean({ default: false, description: 'N2: put the start of each message in the notification' })),
});
export type PushSubscriptionBody = Static<typeof PushSubscriptionBodySchema>;

/**
 * The room a socket shows on a visible, focused page (`room_id`), or none
 * (`null`: another screen, or the page is hidden or in the background). Sent
 * on every change; the device gets no push for a room it is looking at
 * (N1). Never answered; a room that is not yours changes nothing for anyone.
 */
export const ViewingFrameSchema = Type.Object({
  type: Type.Literal('viewing'),
  room_id: Type.Union([RoomIdSchema, Type.Null()]),
});
export type ViewingFrame = Static<typeof ViewingFrameSchema>;

/** N1: `PUT /v1/rooms/{id}/mute`, the REST twin of the `mute` op. */
export const MuteBodySchema = Type.Object({
  muted: Type.Boolean(),
  client_id: Type.Optional(ClientIdSchema),
});
export type MuteBody = Static<typeof MuteBodySchema>;
export const MuteResponseSchema = Type.Object({ room_id: RoomIdSchema, muted: Type.Boolean() });
export type MuteResponse = Static<typeof MuteResponseSchema>;

/**
 * N2: the push payload, decrypted by the service worker. Short keys: the
 * push service carries at most 4 kB, and less is less to leak.
 * - `t`: PushKind
 * - `r`: room id (the notification's tag: one per room)
 * - `s`: seq (msg: the new message's; read: read up to)
 * - `n`: title: the sender's display name, and " in <room>" for a group or public room
 * - `b`: body: the start of the message where the subscription allows
 *   previews, else a fixed "New message"
 * - `u`: the recipient's unread count over all rooms, for the app badge
 */
export interface PushMessagePayload {
  t: typeof PushKind.Message;
  r: string;
  s: number;
  n: string;
  b: string;
  u: number;
}
export interface PushReadPayload {
  t: typeof PushKind.Read;
  r: string;
  s: number;
  u: number;
}
export type PushPayload = PushMessagePayload | PushReadPayload;

