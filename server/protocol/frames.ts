import type { AckFrame, ErrorFrame, PingFrame, PongFrame, RejectedFrame } from './common.js';
import type { EventsFrame } from './events.js';
import type { HelloFrame } from './identity.js';
import type { MessagesFrame, SendFrame } from './messages.js';
import type { OpsFrame } from './ops.js';
import type { RoomsFrame } from './rooms.js';
import type { SyncFrame, SyncedFrame } from './sync.js';
import type { PresenceFrame, TypingFrame, TypingSignal } from './live.js';
import type { DeliveredFrame, ReceiptsFrame } from './receipts.js';
import type { ViewingFrame } from './push.js';

/** Everything a client may send on the socket. */
export type ClientFrame = SendFrame | OpsFrame | SyncFrame | TypingSignal | DeliveredFrame | ViewingFrame | PingFrame;

/** Everything the server may send on the socket. */
export type ServerFrame =
  | HelloFrame
  | AckFrame
  | MessagesFrame
  | EventsFrame
  | RoomsFrame
  | SyncedFrame
  | RejectedFrame
  | ErrorFrame
  | TypingFrame
  | ReceiptsFrame
  | PresenceFrame
  | PongFrame;
