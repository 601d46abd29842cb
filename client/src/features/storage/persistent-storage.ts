/**
 * Asks the browser to keep Whisper's storage (IndexedDB: the outbox and the
 * message cache) under "persistent" rather than "best-effort" eviction.
 *
 * persist() is asked at most once per browser profile: Firefox shows a
 * permission prompt for it, so asking on every launch would nag. The answer
 * is remembered; a later grant (installing the app, or allowing it in the
 * site settings) is still noticed through persisted(), which never prompts.
 */

/** 'unsupported': no StorageManager.persist (older Safari, some webviews, insecure origins). */
export type PersistenceState = 'unsupported' | 'granted' | 'denied';

/** localStorage keys; small flags that do not belong in the message database. */
export const PERSIST_ANSWER_KEY = 'whisper.storage.persist-answer';
export const NOTICE_DISMISSED_KEY = 'whisper.storage.notice-dismissed';
/** Set when the user asked for persistence themselves (the notice's button) and the browser said no. */
export const EXPLICIT_REFUSAL_KEY = 'whisper.storage.explicit-refusal';

/** The parts of StorageManager this needs (both optional: absent where unsupported). */
export interface PersistApi {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
}

/** A key-value memory that may be unavailable (private modes, disabled storage). */
export interface FlagStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/**
 * What to assume before the browser answers, synchronously: the answer it
 * gave last time, else a refusal where persist() exists (the usual answer
 * to a first visit). Where there is unsent work the notice is then laid out
 * at once, instead of appearing a moment later and pushing the conversation
 * down (a layout shift); a grant takes it away again.
 */
export function presumedPersistence(api: PersistApi | undefined, memory: FlagStore): PersistenceState {
  if (!api || typeof api.persist !== 'function') return 'unsupported';
  return memory.get(PERSIST_ANSWER_KEY) === 'granted' ? 'granted' : 'denied';
}

export async function ensurePersistentStorage(api: PersistApi | undefined, memory: FlagStore): Promise<PersistenceState> {
  if (!api || typeof api.persist !== 'function') return 'unsupported';
  try {
    if (typeof api.persisted === 'function' && (await api.persisted())) {
      memory.set(PERSIST_ANSWER_KEY, 'granted');
      return 'granted';
    }
    if (memory.get(PERSIST_ANSWER_KEY) === 'denied') return 'denied';
    const granted = await api.persist();
    memory.set(PERSIST_ANSWER_KEY, granted ? 'granted' : 'denied');
    return granted ? 'granted' : 'denied';
  } catch {
    // A browser that throws here cannot promise persistence either, but it
    // was not a refusal we can act on: do not warn about it.
    return 'unsupported';
  }
}

/** localStorage, tolerating browsers that throw on access. */
export const localFlagStore: FlagStore = {
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // Not remembered: at worst persist() is asked again next launch.
    }
  },
};

/**
 * The user asked for persistence themselves (a click: where the browser
 * prompts, as Firefox does, this is when it should). Asks even after an
 * earlier refusal, and remembers a refusal as explicit: then the notice
 * stays, with the way to allow it in the browser's settings, until it is
 * dismissed.
 */
export async function requestPersistence(api: PersistApi | undefined, memory: FlagStore): Promise<PersistenceState> {
  if (!api || typeof api.persist !== 'function') return 'unsupported';
  try {
    const granted = await api.persist();
    memory.set(PERSIST_ANSWER_KEY, granted ? 'granted' : 'denied');
    memory.set(EXPLICIT_REFUSAL_KEY, granted ? 'false' : 'true');
    return granted ? 'granted' : 'denied';
  } catch {
    return 'unsupported';
  }
}

export interface NoticeCause {
  state: PersistenceState;
  /** Own messages in the outbox not yet confirmed by the server (pending or sending). */
  unsent: number;
  /** The user asked for persistence and the browser refused (requestPersistence). */
  explicitlyRefused: boolean;
  dismissed: boolean;
}

/**
 * Whether the storage notice is worth showing: only where storage may be
 * evicted (refused), not dismissed, and only when it matters: there is
 * unsent work an eviction would lose, or the user asked and was refused.
 * A new user with nothing unsent is not greeted with a warning.
 */
export function shouldShowStorageNotice({ state, unsent, explicitlyRefused, dismissed }: NoticeCause): boolean {
  return state === 'denied' && !dismissed && (unsent > 0 || explicitlyRefused);
}
