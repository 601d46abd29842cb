import type { PresenceEntry } from '@whisper/protocol';
import type { LinkStatus, TypingHeard } from './link-status';

/**
 * Every message between the page and the connection worker
 * (connection.worker.ts), both ways. Structured-cloned, so plain data only.
 */

/** Page → worker. */
export const ToWorker = {
  /** Open the database and start the connection machine; sent once, first. */
  Start: 'start',
  /** The page came to the front (document visibilitychange → visible). */
  Visible: 'visible',
  /** "Retry now". */
  Retry: 'retry',
  /** The page's `online` or `offline` event. */
  Network: 'network',
  /** People the page shows without a name (A5): the worker's directory looks them up. */
  WantUsers: 'want-users',
  /** L2: a typing signal to send if the socket is live (dropped otherwise: never queued). */
  Typing: 'typing',
  /** N1: the room open on a visible page (null: none), for the socket's `viewing` frame. */
  Viewing: 'viewing',
  /** Stop the machine, close the database and end the worker. */
  Stop: 'stop',
} as const;

/** Worker → page. */
export const FromWorker = {
  /** The link's status: right after Start (which also says the worker runs), then on every change. */
  Status: 'status',
  /** The connection could not be started in the worker (no IndexedDB there, say): the page runs it itself. */
  Failed: 'failed',
  /** L2: another member's typing signal (or its end: their message arrived). */
  TypingHeard: 'typing-heard',
  /** L1: a `presence` frame's entries (the snapshot after a catch-up, or a change). */
  PresenceHeard: 'presence-heard',
} as const;

export interface StartOptions {
  /** http(s)://host of the Whisper server. */
  origin: string;
  /** The IndexedDB database's name (the page's Dexie database). */
  dbName: string;
}

export type PageMessage =
  | ({ type: typeof ToWorker.Start } & StartOptions)
  | { type: typeof ToWorker.Visible }
  | { type: typeof ToWorker.Retry }
  | { type: typeof ToWorker.Network; online: boolean }
  | { type: typeof ToWorker.WantUsers; ids: string[] }
  | { type: typeof ToWorker.Typing; roomId: string; typing: boolean }
  | { type: typeof ToWorker.Viewing; roomId: string | null }
  | { type: typeof ToWorker.Stop };

export type WorkerMessage =
  | { type: typeof FromWorker.Status; status: LinkStatus }
  | { type: typeof FromWorker.Failed; reason: string }
  | ({ type: typeof FromWorker.TypingHeard } & TypingHeard)
  | { type: typeof FromWorker.PresenceHeard; entries: PresenceEntry[] };

const TO_WORKER = new Set<unknown>(Object.values(ToWorker));
const FROM_WORKER = new Set<unknown>(Object.values(FromWorker));

const typeOf = (data: unknown): unknown => (typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined);

/** Whether `data` is one of ours (a worker's scope may hear other messages: devtools, extensions). */
export function isPageMessage(data: unknown): data is PageMessage {
  return TO_WORKER.has(typeOf(data));
}

export function isWorkerMessage(data: unknown): data is WorkerMessage {
  return FROM_WORKER.has(typeOf(data));
}
