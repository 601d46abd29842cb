import Type, { type Static, type TSchema } from 'typebox';
import { MAX_ATTACHMENTS, MAX_WAVEFORM_LEVELS, MESSAGE_ID_PATTERN, UPLOAD_ID_PATTERN } from './constants.js';
import { TimeSchema } from './common.js';

/** Files (F1–F5): uploads, attachments and media. */

export const UploadIdSchema = Type.String({ pattern: UPLOAD_ID_PATTERN, description: 'The last segment of the tus upload\'s Location (a ULID)' });
export const MediaIdSchema = Type.String({ pattern: MESSAGE_ID_PATTERN, description: 'Server ULID of a processed media object' });

/** F3: what a send item names: a completed upload of the sender's. */
export const AttachmentRefSchema = Type.Object({ upload_id: UploadIdSchema });
export type AttachmentRef = Static<typeof AttachmentRefSchema>;
export const AttachmentRefsSchema = Type.Array(AttachmentRefSchema, {
  minItems: 1,
  maxItems: MAX_ATTACHMENTS,
  description: `F3: 1–${MAX_ATTACHMENTS} completed uploads of the sender's, in display order; with them the content (a caption) may be empty`,
});

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * F3, P4: an attachment as a stored message carries it, in the sender's
 * order. Fields that do not apply to its kind are null (an image has no
 * duration, a voice note no size in pixels).
 */
export const AttachmentSchema = Type.Object({
  id: MediaIdSchema,
  kind: Type.Union([Type.Literal('image'), Type.Literal('audio')]),
  mime: Type.String({ description: 'From the file\'s magic bytes (F4), e.g. image/jpeg, audio/webm' }),
  size: Type.Integer({ minimum: 0, description: 'Bytes as served (images: after re-encoding)' }),
  width: nullable(Type.Integer({ minimum: 1 })),
  height: nullable(Type.Integer({ minimum: 1 })),
  duration_ms: nullable(Type.Integer({ minimum: 0 })),
  thumbhash: nullable(Type.String({ description: 'Images: base64 ThumbHash, a placeholder drawn before the thumbnail arrives' })),
  waveform: nullable(Type.String({ description: `Audio: base64 of at most ${MAX_WAVEFORM_LEVELS} levels, 0–255 each, as the uploader's client computed them` })),
});
export type Attachment = Static<typeof AttachmentSchema>;

/** GET /v1/media/{id} and /url */
export const MediaParamsSchema = Type.Object({ id: MediaIdSchema });
export const MediaQuerySchema = Type.Object({
  variant: Type.Optional(Type.Literal('thumb', { description: 'Images: a 320 px wide WebP thumbnail' })),
  token: Type.Optional(Type.String({ description: 'A signed URL\'s token (GET /v1/media/{id}/url), instead of the Authorization header, so that <img src> works' })),
});
export const MediaUrlResponseSchema = Type.Object({
  url: Type.String({ description: 'Path with a short-lived signed token; relative to the server' }),
  expires_at: TimeSchema,
});
export type MediaUrlResponse = Static<typeof MediaUrlResponseSchema>;
