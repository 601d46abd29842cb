/**
 * The Whisper wire protocol: every frame and REST body that crosses between
 * the client, the service worker and the server, split by domain in this
 * folder. Each shape is written once, as a JSON Schema (TypeBox), and its
 * TypeScript type is derived from it; the rules they implement are in
 * README.md beside this file, by ID.
 *
 * This entry point carries constants and types only, so the browser bundle
 * never includes the schemas; the server takes those from ./schemas.ts.
 */
export * from './constants.js';
export type { AckFrame, ErrorFrame, PingFrame, PongFrame, RejectedFrame } from './common.js';
export type { AccountResponse, CredentialsBody, HelloFrame, Me, PatchMeBody, SessionResponse, User, UsersResponse } from './identity.js';
export type { ChatMessage, HistoryResponse, MessagesFrame, OutgoingMessage, Reaction, ReplyQuote, RestSendResponse, SendFrame } from './messages.js';
export type { LastMessage, Room, RoomsFrame, RoomsResponse } from './rooms.js';
export type { DeleteEvent, EditEvent, EventsFrame, LogEvent, MemberEvent, MessageEvent, ReactionEvent, RoomEvent } from './events.js';
export type { DeleteOp, EditOp, MessageOp, Op, OpsFrame, ReactOp, ReadOp, RoomCreateOp, UnreactOp } from './ops.js';
export type { DeliveredFrame, ReadResponse, Receipt, ReceiptsFrame } from './receipts.js';
export type { RoomCursor, SyncFrame, SyncedFrame } from './sync.js';
export type { PresenceEntry, PresenceFrame, TypingFrame, TypingSignal } from './live.js';
export type { Attachment, AttachmentRef, MediaUrlResponse } from './media.js';
export type { SearchHit, SearchResponse } from './search.js';
export type { ClientFrame, ServerFrame } from './frames.js';
export { dmRoomId } from './dm-room-id.js';
