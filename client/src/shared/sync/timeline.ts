/**
 * What the chat view renders: the room's stored messages and the user's
 * outbox merged into one list (C5: one row per message, whichever of ack
 * and broadcast came first).
 */

/** C9: the values of `data-status` on own messages. */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface TimelineItem {
  /** Stable React key: the client_id for own messages, else the server id. */
  key: string;
  /** Server ULID; null while the message is only in the outbox. */
  id: string | null;
  clientId: string | null;
  seq: number | null;
  userId: string | null;
  content: string;
  /** ISO 8601: for own messages the time they were written (`written_at`), else the server's. */
  createdAt: string;
  own: boolean;
  /** Own messages only; null for other people's. */
  status: DeliveryStatus | null;
  /** Why a failed message failed, for the user. */
  error: string | null;
  /** A failed message that Retry may send again (C6). */
  retryable: boolean;
}

/** The connection as the user sees it. */
export type ConnectionPhase = 'online' | 'connecting' | 'offline';

export interface ConnectionStatus {
  phase: ConnectionPhase;
  /** Own messages not yet confirmed by the server. */
  waiting: number;
  /** ms until the next reconnect attempt, when waiting on backoff. */
  retryInMs: number | null;
}
