import type { User } from '@whisper/protocol';
import { backoffDelay } from './backoff';

/**
 * People's names for ids the device has none for (A5: the UI never shows a
 * UUID). Ids seen in frames and on screen are collected for a moment and
 * looked up together (GET /v1/users?ids=), at most USERS_PER_REQUEST at a
 * time; a failed lookup (offline, no identity yet) is retried with backoff.
 */

/** Ids asked for within this time go in one request: a catch-up names many people in a burst of frames. */
export const USER_LOOKUP_DELAY_MS = 100;
/** The server's limit for `ids`. */
export const USERS_PER_REQUEST = 100;

export interface UserDirectoryDeps {
  /** The ones among `ids` the device has no name for. */
  unknown(ids: string[]): Promise<string[]>;
  lookup(ids: string[]): Promise<User[]>;
  save(users: User[]): Promise<unknown>;
}

export function createUserDirectory(deps: UserDirectoryDeps) {
  const wanted = new Set<string>();
  /** Looked up already (found or not): asked once per page life, so an id the server does not know costs one request. */
  const asked = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let stopped = false;

  function schedule(delay: number) {
    if (timer === undefined && !stopped) timer = setTimeout(() => void flush(), delay);
  }

  async function flush() {
    timer = undefined;
    const candidates = [...wanted];
    wanted.clear();
    let ids: string[];
    try {
      ids = await deps.unknown(candidates);
    } catch {
      return; // The database is closing: the page is going away.
    }
    for (let i = 0; i < ids.length; i += USERS_PER_REQUEST) {
      const batch = ids.slice(i, i + USERS_PER_REQUEST);
      for (const id of batch) asked.add(id);
      try {
        await deps.save(await deps.lookup(batch));
        failures = 0;
      } catch {
        for (const id of ids.slice(i)) {
          asked.delete(id);
          wanted.add(id);
        }
        schedule(backoffDelay(failures++));
        return;
      }
    }
  }

  return {
    /** Asks for names of these people if the device has none. */
    want(ids: Iterable<string>) {
      let added = false;
      for (const id of ids) {
        if (asked.has(id) || wanted.has(id)) continue;
        wanted.add(id);
        added = true;
      }
      if (added) schedule(USER_LOOKUP_DELAY_MS);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
