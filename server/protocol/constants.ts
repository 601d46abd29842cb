/**
 * The protocol's constants: limits, paths, codes. No runtime dependencies,
 * so the browser bundle can import them without any schema library.
 */

/**
 * Bumped when a frame changes in a way an older peer would misread. The
 * server names it in `hello`; version 1 had one room and no `rooms`,
 * `events` or `ops` frames; version 2 had no message actions (`events` of
 * kinds edit, delete, react and unreact; messages as they stand now).
 */
export const PROTOCOL_VERSION = 3;

/** The room every user is in; seed-style clients that send no room_id post here. */
export const DEFAULT_ROOM_ID = 'general';

/** Longest message content, in UTF-16 code units (what `String.length` counts). */
export const MAX_CONTENT_LENGTH = 4000;
/** Most items in one `messages` or `ops` frame or REST send. */
export const MAX_BATCH_SIZE = 100;
/**
 * Largest frame (and REST body) the server reads; a larger one closes the
 * socket with 1009. A full batch of full-length messages must fit even in
 * the worst JSON encoding (6 bytes per character for escaped control
 * characters): 100 × 4000 × 6 ≈ 2.3 MiB.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** client_id: a ULID in practice, any short URL-safe token is accepted. */
export const CLIENT_ID_PATTERN = '^[0-9A-Za-z_-]{1,64}$';
/** room_id: lower-case slug; rooms created by clients use a lower-case ULID (M2). */
export const ROOM_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** Default and largest page of history (P5) and of catch-up (P6). */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 500;
/** Q1: default and largest page of search hits. */
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 50;
/** Q1: longest search query, in characters after trimming. */
export const MAX_SEARCH_QUERY_LENGTH = 200;
/** Longest room name. */
export const MAX_ROOM_NAME_LENGTH = 80;
/** Most people named in one room.create or member.add. */
export const MAX_MEMBERS_PER_OP = 50;
/** Most rooms one `sync` frame may name (M5). */
export const MAX_SYNC_ROOMS = 2000;
/** Longest display name. */
export const MAX_DISPLAY_NAME_LENGTH = 64;
/**
 * Longest reaction, in UTF-16 code units: one emoji, which may be a ZWJ
 * sequence of several (a family, a flag with tags: up to ~14 units).
 */
export const MAX_EMOJI_LENGTH = 32;
/** A reply's quote (X1, E4): the start of the target's content, at most this many characters. */
export const REPLY_EXCERPT_LENGTH = 100;
/** A server message id: a ULID (26 Crockford base32 characters, upper case). */
export const MESSAGE_ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';

/**
 * L2 typing. The client says `typing: true` at most once per this interval
 * while its user keeps typing: often enough that the indicator never lapses
 * between two signals (see TYPING_EXPIRY_MS), rarely enough that a fast
 * typist costs each member one small frame every few seconds, not one per key.
 */
export const TYPING_SIGNAL_INTERVAL_MS = 2_500;
/**
 * L2: a typing indicator goes away by itself this long after the last
 * `typing: true` heard, so a signal lost with a closed tab, a dropped socket
 * or a dead instance never leaves "is typing…" up. More than two signal
 * intervals: one late or lost signal does not make it flicker.
 */
export const TYPING_EXPIRY_MS = 6_000;
/**
 * L2: the client says `typing: false` by itself after this much time without
 * a keystroke (the user stopped typing but did not send or leave the box).
 */
export const TYPING_IDLE_MS = 4_000;
/**
 * L2 server rate limit: at most one `typing: true` per socket and room this
 * often (a well-behaved client sends one per TYPING_SIGNAL_INTERVAL_MS);
 * extra ones are dropped without an answer. A `false` passes only when the
 * socket's last relayed signal for that room was `true`, so it cannot be
 * flooded either.
 */
export const TYPING_MIN_INTERVAL_MS = 1_000;

/**
 * L4: a device tells the server how far it has stored its DMs' and groups'
 * logs at most this often (one `delivered` frame naming every room that
 * moved), so a busy group costs each member one small frame a second, not
 * one per message.
 */
export const DELIVERED_REPORT_INTERVAL_MS = 1_000;
/** L4: most rooms one `delivered` frame names. */
export const MAX_DELIVERED_ROOMS = 500;
/**
 * L4: the server gathers marker changes per room this long before it
 * announces them, so the members of a group who all read a message within
 * the moment cost one `receipts` frame, not one each.
 */
export const RECEIPTS_FLUSH_MS = 250;
/** M6: unread counts the server computes stop here (the list shows "99+" anyway). */
export const UNREAD_COUNT_CAP = 100;
/** L1: a user is online (some socket of theirs is live on some instance) or offline since `last_seen`. */
export const PresenceStatus = { Online: 'online', Offline: 'offline' } as const;
export type PresenceStatus = (typeof PresenceStatus)[keyof typeof PresenceStatus];

export const CHAT_WS_PATH = '/v1/chat/ws';
export const SESSION_PATH = '/v1/session';
export const MESSAGES_PATH = '/v1/chat/messages';
export const ROOMS_PATH = '/v1/rooms';
export const DMS_PATH = '/v1/dms';
export const USERS_PATH = '/v1/users';
export const ACCOUNTS_PATH = '/v1/accounts';
export const SESSIONS_PATH = '/v1/sessions';
export const ME_PATH = '/v1/me';
/** F2: tus 1.0 uploads; an upload's URL is this plus its id. */
export const UPLOADS_PATH = '/v1/uploads';
/** F3, M3: processed media, by id. */
export const MEDIA_PATH = '/v1/media';
/** Q1: full-text search over the caller's rooms. */
export const SEARCH_PATH = '/v1/search';

/** F3: most attachments on one message. */
export const MAX_ATTACHMENTS = 10;
/** F3: an upload id: a ULID, the last segment of the upload's Location. */
export const UPLOAD_ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';
/** F3: most levels in a voice note's waveform (each 0–255). */
export const MAX_WAVEFORM_LEVELS = 64;
/** F3: media kinds. */
export const MediaKind = { Image: 'image', Audio: 'audio' } as const;
export type MediaKind = (typeof MediaKind)[keyof typeof MediaKind];

/**
 * P1: the socket's subprotocol. A client that keeps its token out of the URL
 * offers this and `whisper.token.<token>`; the server answers with this one.
 */
export const SOCKET_SUBPROTOCOL = 'whisper';
export const SOCKET_TOKEN_PREFIX = 'whisper.token.';

/** A1: usernames: 3–32 of a-z, 0-9 and _, unique regardless of case (stored lower-case). */
export const USERNAME_PATTERN = '^[A-Za-z0-9_]{3,32}$';

/** Room kinds (M1). */
export const RoomKind = {
  /** Anyone may join from the list of public rooms; `general` is one, with everyone in it. */
  Public: 'public',
  /** Private; members add members. */
  Group: 'group',
  /** Exactly two people; its id comes from theirs (M2). */
  Dm: 'dm',
} as const;
export type RoomKind = (typeof RoomKind)[keyof typeof RoomKind];

/** The operations of P11 that exist so far. */
export const OpName = {
  RoomCreate: 'room.create',
  RoomUpdate: 'room.update',
  RoomDelete: 'room.delete',
  MemberAdd: 'member.add',
  MemberRemove: 'member.remove',
  /** X2: the author changes a message's text. */
  Edit: 'edit',
  /** X2: the author (or the group's owner) deletes a message. */
  Delete: 'delete',
  /** X3: a member adds an emoji reaction (one of each emoji per user per message). */
  React: 'react',
  Unreact: 'unreact',
  /** L3: the user has read the room up to a seq (only ever forward). */
  Read: 'read',
} as const;
export type OpName = (typeof OpName)[keyof typeof OpName];

/** What a `member` log entry says happened (M4). */
export const MemberAction = { Joined: 'joined', Left: 'left', Added: 'added', Removed: 'removed' } as const;
export type MemberAction = (typeof MemberAction)[keyof typeof MemberAction];

/** WebSocket close codes the server uses and the client acts upon. */
export const CloseCode = {
  /** Server shutting down (drain); reconnect, ideally to another instance. */
  GoingAway: 1001,
  /** Flood: too many frames too fast (P8). */
  PolicyViolation: 1008,
  /** A frame larger than MAX_FRAME_BYTES (P8). */
  MessageTooBig: 1009,
  /** The token was not signed by this server; get a new session (P1). */
  InvalidToken: 4401,
} as const;

/** Codes carried by `rejected` (P7) and `error` (P8) frames and REST errors. */
export const ErrorCode = {
  /** P8: the frame is not JSON, not an object, or has an unknown `type`. */
  InvalidFrame: 'invalid_frame',
  /** P8: binary frames are not part of the protocol. */
  BinaryFrame: 'binary_frame',
  /** P8: more than MAX_BATCH_SIZE items in one frame. */
  BatchTooLarge: 'batch_too_large',
  /** P8: the server could not store the batch right now; resend later. */
  Unavailable: 'unavailable',
  /** P1: the token is missing, malformed, expired or not ours. */
  InvalidToken: 'invalid_token',
  /** P8: too many requests or connections; slow down. */
  RateLimited: 'rate_limited',
  /** The socket's Origin is not this site (cross-site WebSocket hijacking). */
  ForbiddenOrigin: 'forbidden_origin',
  /** P7: the item is not an object of the P2 shape. */
  InvalidMessage: 'invalid_message',
  /** P7: content empty (after trimming), too long, or not well-formed text. */
  InvalidContent: 'invalid_content',
  /** P7: the room does not exist, or the user is not in it (M3: the two look the same). */
  UnknownRoom: 'unknown_room',
  /** P7: not allowed (not the owner; a user_id that is not the socket's). */
  Forbidden: 'forbidden',
  /** P7: an op whose fields are wrong (unknown op, bad name, bad user list). */
  InvalidOp: 'invalid_op',
  /** P7: the room id is taken by a different room (409 over REST). */
  Conflict: 'conflict',
  /** P7: an op's target message is not in that room, or not visible to the user (404 over REST, M3). */
  UnknownMessage: 'unknown_message',
  /** 404 for a REST path naming something not visible to the caller. */
  NotFound: 'not_found',
  /** 400: a REST request whose query, path or body does not fit its schema. */
  InvalidRequest: 'invalid_request',
  /** A3: login failed; the same for an unknown username and a wrong password. */
  InvalidCredentials: 'invalid_credentials',
  /** A3: a new password that is too short, too common, or contains the username. */
  WeakPassword: 'weak_password',
  /** A1: the username belongs to someone else (409). */
  UsernameTaken: 'username_taken',
  /** F3 (P7): an attachment that is not a completed upload of the sender's. */
  InvalidAttachment: 'invalid_attachment',
  /** F4: an upload over the per-file limit or the sender's quota (413). */
  TooLarge: 'too_large',
  /** F1, F4: an upload whose bytes are not an allowed image or audio format (415). */
  UnsupportedMedia: 'unsupported_media',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
