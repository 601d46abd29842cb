/**
 * What the chat view renders: the room's stored messages and events and the
 * user's outbox merged into one list (C5: one row per message, whichever of
 * ack and broadcast came first; M4: membership and room changes as notices).
 */

/** C9: the values of `data-status` on own messages. */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface TimelineItem {
  kind: 'message';
  /** Stable React key: the client_id for own messages, else the server id. */
  key: string;
  /** Server ULID; null while the message is only in the outbox. */
  id: string | null;
  clientId: string | null;
  seq: number | null;
  userId: string | null;
  /** The sender's display name (A5): never a UUID, a neutral name while unknown. */
  senderName: string;
  /** The sender's avatar colour: a palette name ("teal"), neutral while unknown. */
  senderColor: string;
  /** A5: the sender's profile picture (media id), or null. */
  senderAvatar: string | null;
  content: string;
  /** ISO 8601: for own messages the time they were written (`written_at`), else the server's. */
  createdAt: string;
  own: boolean;
  /** Own messages only; null for other people's. */
  status: DeliveryStatus | null;
  /**
   * L4, own stored messages in a DM or group: every other member has it on
   * a device (delivered) or has read it (read); null before that, and in
   * public rooms (no receipts there).
   */
  receipt: 'delivered' | 'read' | null;
  /** L4, groups: the names of the other members who have read it (own messages; empty elsewhere). */
  readBy: string[];
  /** Why a failed message failed, for the user. */
  error: string | null;
  /** A failed message that Retry may send again (C6). */
  retryable: boolean;
  /** X1: the message this one replies to. */
  replyTo: QuoteView | null;
  /** X2: when its text was last changed (shown as "edited"); null if never. */
  editedAt: string | null;
  /** X2: deleted: a quiet "message deleted" line, no content. */
  deleted: boolean;
  /** X3: reactions, one chip per emoji. */
  reactions: ReactionView[];
  /** X4: this device's edit or delete of it, not confirmed yet. */
  pendingAction: 'edit' | 'delete' | null;
  /** X4: this device's actions on it that the server refused: undone on screen, with the reason, for Retry or Discard. */
  actionFailures: ActionFailure[];
  /** F6: its files, in order (empty for a text message). */
  attachments: AttachmentView[];
}

/**
 * F2, F6: a file of a message: stored on the server (mediaId), or still on
 * this device (blob, with its upload's progress).
 */
export interface AttachmentView {
  /** Stable React key: the media id, or the local file id. */
  key: string;
  kind: 'image' | 'audio';
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /** Base64 ThumbHash of an image, for the placeholder while it loads. */
  thumbhash: string | null;
  /** Base64 of up to 64 levels, for a voice note. */
  waveform: string | null;
  /** The server's media id; null while the file is only on this device. */
  mediaId: string | null;
  /** Only on this device: its bytes, shown at once (F2). */
  blob: Blob | null;
  /** Only on this device: bytes the server has so far. */
  uploaded: number;
  /** Only on this device: not fully uploaded yet. */
  uploading: boolean;
}

/** X1: a reply's quote. */
export interface QuoteView {
  /** The quoted message's server id (null: an own message not acked yet); to jump to it. */
  id: string | null;
  clientId: string | null;
  seq: number | null;
  senderName: string;
  excerpt: string;
  deleted: boolean;
}

/** X3: one emoji's reactions to a message. */
export interface ReactionView {
  emoji: string;
  count: number;
  /** The user is among them. */
  mine: boolean;
  /** Who reacted, by display name ("You" for the user), for the chip's label. */
  names: string[];
  /** The user's own change to it is not confirmed yet. */
  pending: boolean;
}

/** X4: a refused action on a message. */
export interface ActionFailure {
  clientId: string;
  /** "Edit", "Delete", "Reaction 👍". */
  label: string;
  reason: string;
}

/** M4: a change to the room ("Ana joined"), from its log or from this device's pending ops. */
export interface TimelineNotice {
  kind: 'notice';
  /** The event's id, or the op's client_id while it is this device's and unconfirmed. */
  key: string;
  seq: number | null;
  text: string;
  createdAt: string;
  /** This device's op, not confirmed yet. */
  pending: boolean;
  /** X4: this device's op, refused: undone, with the reason, for Retry (same client_id) or Delete. */
  failure?: { clientId: string; reason: string } | null;
}

export type TimelineEntry = TimelineItem | TimelineNotice;

/** The connection as the user sees it. */
export type ConnectionPhase = 'online' | 'connecting' | 'offline';

export interface ConnectionStatus {
  phase: ConnectionPhase;
  /** Own messages and changes not yet confirmed by the server. */
  waiting: number;
  /** ms until the next reconnect attempt, when waiting on backoff. */
  retryInMs: number | null;
}
