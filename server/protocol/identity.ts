import Type, { type Static } from 'typebox';
import { UserIdSchema } from './common.js';

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

/** A person as others see them (A5): never a bare UUID in the UI. */
export const UserSchema = Type.Object({
  id: UserIdSchema,
  display_name: Type.String(),
  /** One of the palette's colour names, for the avatar. */
  color: Type.String(),
});
export type User = Static<typeof UserSchema>;

export const UsersQuerySchema = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 64, description: 'Finds people whose name starts with, or has a word starting with, this text' })),
  ids: Type.Optional(Type.String({ maxLength: 37 * 100, description: 'Comma-separated user ids (at most 100): their names' })),
});
export const UsersResponseSchema = Type.Object({ data: Type.Array(UserSchema) });
export type UsersResponse = Static<typeof UsersResponseSchema>;
