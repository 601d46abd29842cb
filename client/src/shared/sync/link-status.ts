import type { PresenceEntry } from '@whisper/protocol';

/**
 * The connection machine as the UI reads it, without XState: the machine
 * runs in a worker (or, where there is none, in the page behind the same
 * interface), and all the page learns of it is this small status object,
 * sent again whenever one of its fields changes.
 */
export interface LinkStatus {
  /** Tag `live`: caught up and sending (C3). */
  live: boolean;
  /** Tag `offline`: no socket, browser offline or waiting to retry. */
  offline: boolean;
  /** Tag `unreachable`: waiting to retry while the browser is online (the server does not answer). */
  unreachable: boolean;
  /** Tag `connecting`: a socket is opening or catching up. */
  connecting: boolean;
  /** Consecutive failed connection attempts; 0 once live. */
  attempt: number;
  /** When the next reconnect is due (ms since epoch), while waiting. */
  retryAt: number | null;
}

/** Before the machine has said anything: neither live nor offline, so nothing treats start-up as settled. */
export const INITIAL_LINK_STATUS: LinkStatus = Object.freeze({
  live: false,
  offline: false,
  unreachable: false,
  connecting: false,
  attempt: 0,
  retryAt: null,
});

export function sameLinkStatus(a: LinkStatus, b: LinkStatus): boolean {
  return (
    a.live === b.live &&
    a.offline === b.offline &&
    a.unreachable === b.unreachable &&
    a.connecting === b.connecting &&
    a.attempt === b.attempt &&
    a.retryAt === b.retryAt
  );
}

/** Start-up is over for what waits on it: live, or offline / waiting to retry. */
export function linkSettled(status: LinkStatus): boolean {
  return status.live || status.offline;
}

/** An observable value in the shape React's useSyncExternalStore takes. */
export interface Observable<T> {
  getSnapshot(): T;
  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** The connection as the UI uses it: its status, and the two things the page tells it. */
export interface Connection extends Observable<LinkStatus> {
  /** C3 "Retry now": reconnect at once instead of waiting the backoff out. */
  retryNow(): void;
  /** The page came to the front: a connection waiting to retry retries at once (C3). */
  visible(): void;
}

/**
 * Where the machine runs, seen from the page: the connection worker
 * (connection-bridge.ts) or the page itself (connection-runtime.ts).
 */
export interface ConnectionHost extends Connection {
  /**
   * The page's online/offline events (C3). The page passes them on: Chromium
   * fires neither in workers, though a worker's navigator.onLine follows them.
   */
  network(online: boolean): void;
  /** A5: look up names for these people if the device has none. */
  wantUsers(userIds: Iterable<string>): void;
  /** L2: put a typing signal on the socket if it is live; dropped otherwise (never queued). Throttling is the caller's. */
  typing(roomId: string, typing: boolean): void;
  /** N1: the room open on a visible page (null: none); the socket says so now and on every reconnect. */
  viewing(roomId: string | null): void;
  /** L2: hears every typing signal of others (and the end of it when their message arrives); returns the unsubscribe. */
  onTyping(listener: TypingListener): () => void;
  /** L1: hears every `presence` frame (the snapshot after each catch-up, then each change); returns the unsubscribe. */
  onPresence(listener: PresenceListener): () => void;
  stop(): void;
}

/** L2: who types (or stopped) where, as the socket brought it. */
export interface TypingHeard {
  roomId: string;
  userId: string;
  typing: boolean;
}
export type TypingListener = (heard: TypingHeard) => void;

/** L1: people online, or offline since when, as a `presence` frame brought them. */
export type PresenceListener = (entries: PresenceEntry[]) => void;

/** A set of listeners of one kind of signal, for the hosts. */
export interface SignalListeners<T> {
  add(listener: (heard: T) => void): () => void;
  emit(heard: T): void;
}

/** A set of typing listeners, for the hosts. */
export function createTypingListeners(): SignalListeners<TypingHeard> {
  return createSignalListeners<TypingHeard>();
}

/** A set of presence listeners, for the hosts. */
export function createPresenceListeners(): SignalListeners<PresenceEntry[]> {
  return createSignalListeners<PresenceEntry[]>();
}

function createSignalListeners<T>(): SignalListeners<T> {
  const listeners = new Set<(heard: T) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(heard) {
      for (const listener of [...listeners]) listener(heard);
    },
  };
}

/** A value that only notifies when it really changed (the same object otherwise, as useSyncExternalStore needs). */
export function createLinkStatusStore(initial: LinkStatus = INITIAL_LINK_STATUS): Observable<LinkStatus> & { set(next: LinkStatus): void } {
  let current = initial;
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      if (sameLinkStatus(current, next)) return;
      current = { ...next };
      for (const listener of [...listeners]) listener();
    },
  };
}
