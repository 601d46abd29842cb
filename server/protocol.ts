/**
 * The Whisper wire protocol: every frame and REST body that crosses between
 * the client, the service worker and the server. This module is the only
 * place the shapes are written down (rule IDs refer to ../shared/DESIGN.md);
 * it has no runtime dependencies so the browser bundle can import its
 * constants without pulling in server code.
 *
 * The seed's JSON shapes (`{"type":"messages","data":[…]}` and
 * `{"type":"message_ids","status":"success","message_ids":[…]}`) are kept
 * as they are and only extended with optional fields.
 */

/** The room every user is in; seed-style clients that send no room_id post here. */
export const DEFAULT_ROOM_ID = 'general';

/** Longest message content, in UTF-16 code units (what `String.length` counts). */
export const MAX_CONTENT_LENGTH = 4000;
/** Most items in one `messages` frame or REST send. */
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
/** room_id: lower-case slug. */
export const ROOM_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** Default and largest page of history (P5) and of catch-up (P6). */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 500;

export const CHAT_WS_PATH = '/v1/chat/ws';
export const SESSION_PATH = '/v1/session';
export const MESSAGES_PATH = '/v1/chat/messages';

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

/** Codes carried by `rejected` (P7) and `error` (P8) frames. */
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
  /** P7: room_id names no room. */
  UnknownRoom: 'unknown_room',
  /** P7: the item's user_id is not the socket's identity. */
  Forbidden: 'forbidden',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

// ---------------------------------------------------------------------------
// Shapes

/** P2: one item a client sends. */
export interface OutgoingMessage {
  client_id?: string;
  room_id?: string;
  content: string;
  /** Tolerated for seed-style clients; must equal the socket's identity (P1). */
  user_id?: string;
}

/** P4: a stored message as the server broadcasts and serves it. */
export interface ChatMessage {
  /** Server ULID. */
  id: string;
  /** Per-room, gap-free, in commit order (S2). */
  seq: number;
  room_id: string;
  user_id: string;
  client_id: string | null;
  content: string;
  /** ISO 8601. */
  created_at: string;
}

// Client → server ------------------------------------------------------------

/** P2 */
export interface SendFrame {
  type: 'messages';
  data: OutgoingMessage[];
}
/** P6 */
export interface SyncFrame {
  type: 'sync';
  room_id: string;
  after_seq: number;
}
/** P9 */
export interface PingFrame {
  type: 'ping';
}
export type ClientFrame = SendFrame | SyncFrame | PingFrame;

// Server → client ------------------------------------------------------------

/** P1: always the first frame on a socket. */
export interface HelloFrame {
  type: 'hello';
  user_id: string;
  /** A fresh token for the same identity; store it and use it next time. */
  token: string;
}
/** P3: sent to the sender only, after commit; arrays are in request order. */
export interface AckFrame {
  type: 'message_ids';
  status: 'success';
  message_ids: string[];
  client_ids: (string | null)[];
  seqs: number[];
}
/** P4 (and P5's body without has_more) */
export interface MessagesFrame {
  type: 'messages';
  data: ChatMessage[];
}
/** P6: catch-up finished; the client has everything up to `seq`. */
export interface SyncedFrame {
  type: 'synced';
  room_id: string;
  seq: number;
}
/** P7: these items will never be accepted; do not resend them. */
export interface RejectedFrame {
  type: 'rejected';
  client_ids: string[];
  code: ErrorCode;
  message: string;
}
/** P8 */
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
}
/** P9 */
export interface PongFrame {
  type: 'pong';
}
export type ServerFrame =
  | HelloFrame
  | AckFrame
  | MessagesFrame
  | SyncedFrame
  | RejectedFrame
  | ErrorFrame
  | PongFrame;

// REST -------------------------------------------------------------------------

/** P1: POST /v1/session */
export interface SessionResponse {
  user_id: string;
  token: string;
}
/** P5: GET /v1/chat/messages */
export interface HistoryResponse extends MessagesFrame {
  has_more: boolean;
}
/** P10: POST /v1/chat/messages answers the P3 frame plus any P7 rejections. */
export interface RestSendResponse extends AckFrame {
  rejected: RejectedFrame[];
}
