import { PresenceStatus, type PresenceEntry } from '@whisper/protocol';
import { formatListTime } from '../ui/format-time';

/**
 * L1 on the device: who is online or when they were last seen, as the
 * socket's `presence` frames said (the snapshot after each catch-up, then
 * every change). In memory only: what a stored "online" would claim after a
 * reload is exactly what cannot be known.
 */

export interface Presence {
  status: PresenceStatus;
  /** ISO time their last socket went away; null while online (or never seen offline). */
  lastSeen: string | null;
}

export interface PresenceBoard {
  hear(entries: readonly PresenceEntry[]): void;
  /** The user's presence as last heard; the same object until it changes. */
  get(userId: string): Presence | undefined;
  subscribe(listener: () => void): () => void;
  /**
   * The link stopped being live: nobody is known to be online any more
   * (their offline would not reach us). Last-seen times stay: they only
   * grow older, and the next snapshot brings everyone back.
   */
  forgetOnline(): void;
  clear(): void;
}

export function createPresenceBoard(): PresenceBoard {
  const people = new Map<string, Presence>();
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  return {
    hear(entries) {
      let any = false;
      for (const entry of entries) {
        const known = people.get(entry.user_id);
        // An offline frame without a time keeps the time we had.
        const lastSeen = entry.status === PresenceStatus.Online ? null : (entry.last_seen ?? known?.lastSeen ?? null);
        if (known && known.status === entry.status && known.lastSeen === lastSeen) continue;
        people.set(entry.user_id, { status: entry.status, lastSeen });
        any = true;
      }
      if (any) changed();
    },
    get: (userId) => people.get(userId),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    forgetOnline() {
      let any = false;
      for (const [userId, presence] of people) {
        if (presence.status !== PresenceStatus.Online) continue;
        people.delete(userId);
        any = true;
      }
      if (any) changed();
    },
    clear() {
      if (people.size === 0) return;
      people.clear();
      changed();
    },
  };
}

/**
 * L1 as the UI words it: "online", "last seen 14:05" (today), "last seen
 * yesterday", "last seen Mon" (this week), "last seen 3/14/26"; null when
 * nothing is known.
 */
export function presenceText(presence: Presence | undefined, now: Date = new Date()): string | null {
  if (!presence) return null;
  if (presence.status === PresenceStatus.Online) return 'online';
  if (!presence.lastSeen) return null;
  const when = formatListTime(presence.lastSeen, now);
  if (!when) return null;
  return `last seen ${when === 'Yesterday' ? 'yesterday' : when}`;
}
