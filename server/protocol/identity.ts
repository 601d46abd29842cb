import Type, { type Static } from 'typebox';
import { UserIdSchema } from './common.js';
import { MAX_DISPLAY_NAME_LENGTH, USERNAME_PATTERN } from './constants.js';
import { MediaIdSchema, UploadIdSchema } from './media.js';

/** P1: always the first frame on a socket. */
export const HelloFrameSchema = Type.Object({
  type: Type.Literal('hello'),
  user_id: UserIdSchema,
  /** A fresh token for the same identity; store it and use it next time. */
  token: Type.String(),
  /** PROTOCOL_VERSION of the server. */
  protocol: Type.Optional(Type.Integer()),
});
export type HelloFrame = Static<typeof HelloFrameSchema>;

/** P1: POST /v1/session */
export const SessionResponseSchema = Type.Object({
  user_id: UserIdSchema,
  token: Type.String({ description: 'Bearer token; also accepted as ?token= on the socket' }),
});
export type SessionResponse = Static<typeof SessionResponseSchema>;

/**
 * A5: the media id of the person's profile picture (GET /v1/media/{id},
 * `?variant=thumb` for the 320 px one the UI draws), or null: initials on
 * their colour. Visible to anyone signed in, as people are (GET /v1/users).
 * This server always sends it; optional in the type because an older server
 * (and a person a client cached from one) has none, which means no picture.
 */
export const AvatarSchema = Type.Optional(
  Type.Union([MediaIdSchema, Type.Null()], { description: 'Media id of the profile picture, or null (initials and colour); always sent' }),
);

/** A person as others see them (A5): never a bare UUID in the UI. */
export const UserSchema = Type.Object({
  id: UserIdSchema,
  display_name: Type.String(),
  /** One of the palette's colour names, for the avatar. */
  color: Type.String(),
  avatar: AvatarSchema,
});
export type User = Static<typeof UserSchema>;

export const UsersQuerySchema = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 64, description: 'Finds people whose name starts with, or has a word starting with, this text' })),
  ids: Type.Optional(Type.String({ maxLength: 37 * 100, description: 'Comma-separated user ids (at most 100): their names' })),
});
export const UsersResponseSchema = Type.Object({ data: Type.Array(UserSchema) });
export type UsersResponse = Static<typeof UsersResponseSchema>;

/** A1: 3–32 of a-z, 0-9 and _; case does not make a different name. */
export const UsernameSchema = Type.String({ pattern: USERNAME_PATTERN, description: '3–32 letters, digits or _; unique regardless of case' });
/** A3: checked for length and against the most common passwords by the server (400 weak_password). */
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 1024, description: 'At least 8 characters, not one of the most common passwords' });

/** A1, A2: POST /v1/accounts (sign up, or with an anonymous bearer token: upgrade) and POST /v1/session (login). */
export const CredentialsBodySchema = Type.Object({ username: UsernameSchema, password: PasswordSchema }, { additionalProperties: false });
export type CredentialsBody = Static<typeof CredentialsBodySchema>;

/**
 * POST /v1/session: no body (or `{}`) for a new anonymous identity (P1), or
 * both credentials to log in (A2). One object with optional fields rather
 * than a union: Fastify's Ajv strips unknown properties, and an empty
 * object branch would swallow the credentials.
 */
export const SessionBodySchema = Type.Union([
  Type.Null(),
  Type.Object({ username: Type.Optional(UsernameSchema), password: Type.Optional(PasswordSchema) }, { additionalProperties: false }),
]);

/** A1: the account; the token is a new device session of the same user. */
export const AccountResponseSchema = Type.Object({
  user_id: UserIdSchema,
  token: Type.String(),
  username: Type.String(),
});
export type AccountResponse = Static<typeof AccountResponseSchema>;

/** A5: GET /v1/me, PATCH /v1/me */
export const MeSchema = Type.Object({
  user_id: UserIdSchema,
  /** null while anonymous. */
  username: Type.Union([Type.String(), Type.Null()]),
  display_name: Type.String(),
  color: Type.String(),
  avatar: AvatarSchema,
});
export type Me = Static<typeof MeSchema>;
/** Either field or both; a field left out stays as it is. */
export const PatchMeBodySchema = Type.Object(
  {
    display_name: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME_LENGTH, description: 'The name others see (trimmed; not blank)' })),
    avatar_upload_id: Type.Optional(
      Type.Union([UploadIdSchema, Type.Null()], {
        description: 'A5: a finished upload of yours (F2) of an image, as your profile picture; null removes it',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchMeBody = Static<typeof PatchMeBodySchema>;
