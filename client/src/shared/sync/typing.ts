import { TYPING_EXPIRY_MS, TYPING_IDLE_MS, TYPING_SIGNAL_INTERVAL_MS } from '@whisper/protocol';
import type { TypingHeard } from './link-status';

/**
 * L2 on the device: what this user's typing sends (throttled), and what the
 * others' typing signals show (in memory only, each one expiring by itself).
 */

export interface TypingSender {
  /**
   * The user types in the room (true: called on every input is fine) or
   * stopped (false: sent, cleared the box, left it). Sends `true` at most
   * once per TYPING_SIGNAL_INTERVAL_MS, `false` once after a `true`, and
   * `false` by itself after TYPING_IDLE_MS without input.
   */
  set(roomId: string, typing: boolean): void;
  /** Every room typed in says false (the engine stops). */
  stopAll(): void;
}

export function createTypingSender(send: (roomId: string, typing: boolean) => void, now: () => number = Date.now): TypingSender {
  const typingIn = new Map<string, { sentAt: number; idle: ReturnType<typeof setTimeout> }>();
  function stop(roomId: string) {
    const room = typingIn.get(roomId);
    if (!room) return;
    clearTimeout(room.idle);
    typingIn.delete(roomId);
    send(roomId, false);
  }
  return {
    set(roomId, typing) {
      if (!typing) return stop(roomId);
      const room = typingIn.get(roomId);
      if (room) clearTimeout(room.idle);
      const idle = setTimeout(() => stop(roomId), TYPING_IDLE_MS);
      const at = now();
      if (room && at - room.sentAt < TYPING_SIGNAL_INTERVAL_MS) {
        room.idle = idle;
        return;
      }
      typingIn.set(roomId, { sentAt: at, idle });
      send(roomId, true);
    },
    stopAll() {
      for (const roomId of [...typingIn.keys()]) stop(roomId);
    },
  };
}

/** Who types where, from the signals heard: per room, user → expiry timer. */
export interface TypingBoard {
  hear(heard: TypingHeard): void;
  /** The people typing in the room now, in the order they started; the same array until it changes. */
  typers(roomId: string): readonly string[];
  subscribe(roomId: string, listener: () => void): () => void;
  clear(): void;
}

const NOBODY: readonly string[] = Object.freeze([]);

export function createTypingBoard(expiryMs = TYPING_EXPIRY_MS): TypingBoard {
  const rooms = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();
  const snapshots = new Map<string, readonly string[]>();
  const listeners = new Map<string, Set<() => void>>();
  function changed(roomId: string) {
    const room = rooms.get(roomId);
    if (room && room.size > 0) snapshots.set(roomId, Object.freeze([...room.keys()]));
    else {
      rooms.delete(roomId);
      snapshots.delete(roomId);
    }
    for (const listener of [...(listeners.get(roomId) ?? [])]) listener();
  }
  function stopped(roomId: string, userId: string) {
    const room = rooms.get(roomId);
    const timer = room?.get(userId);
    if (!room || timer === undefined) return;
    clearTimeout(timer);
    room.delete(userId);
    changed(roomId);
  }
  return {
    hear({ roomId, userId, typing }) {
      if (!typing) return stopped(roomId, userId);
      let room = rooms.get(roomId);
      if (!room) {
        room = new Map();
        rooms.set(roomId, room);
      }
      const known = room.get(userId);
      if (known !== undefined) clearTimeout(known);
      room.set(userId, setTimeout(() => stopped(roomId, userId), expiryMs));
      if (known === undefined) changed(roomId);
    },
    typers: (roomId) => snapshots.get(roomId) ?? NOBODY,
    subscribe(roomId, listener) {
      let set = listeners.get(roomId);
      if (!set) {
        set = new Set();
        listeners.set(roomId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(roomId);
      };
    },
    clear() {
      for (const [roomId, room] of [...rooms]) {
        for (const timer of room.values()) clearTimeout(timer);
        room.clear();
        changed(roomId);
      }
    },
  };
}

/** L2: "Ana is typing…", "Ana and Ben are typing…", "Several people are typing…"; null for nobody. */
export function typingText(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}
