import { liveQuery, type Subscription } from 'dexie';
import { useSyncExternalStore } from 'react';
import { outboxTable } from '../db/outbox.table';
import { metaTable } from '../db/meta.table';
import { MetaKey, type WhisperDatabase } from '../db/whisper-db';
import { useEngine } from './engine-context';
import { useLiveValue } from './want-people';

/** One live count of a database's unsent outbox rows, however many components show it. */
interface SharedCount {
  subscribe: (onChange: () => void) => () => void;
  current: () => number;
}

const unsentCounts = new WeakMap<WhisperDatabase, SharedCount>();

/**
 * The count is read by one live query while anything listens (the
 * connection indicator, the storage notice, the update prompt), instead of
 * one query each, each re-run on every outbox write. 0 until the first read
 * (so a first read of 0 renders nothing again), and again once nobody
 * listens: the next listener starts afresh.
 */
function unsentCountOf(db: WhisperDatabase): SharedCount {
  let shared = unsentCounts.get(db);
  if (shared) return shared;
  const listeners = new Set<() => void>();
  let subscription: Subscription | undefined;
  let count = 0;
  shared = {
    subscribe(onChange) {
      listeners.add(onChange);
      subscription ??= liveQuery(() => outboxTable.countUnsent(db)).subscribe({
        next: (next) => {
          if (next === count) return;
          count = next;
          for (const listener of listeners) listener();
        },
        error: (error) => console.error('whisper: unsent count failed', error),
      });
      return () => {
        listeners.delete(onChange);
        if (listeners.size > 0) return;
        subscription?.unsubscribe();
        subscription = undefined;
        count = 0;
      };
    },
    current: () => count,
  };
  unsentCounts.set(db, shared);
  return shared;
}

/** Own messages and ops in the outbox not yet confirmed by the server (pending or sending); 0 until known. */
export function useUnsentCount(): number {
  const { db } = useEngine();
  const shared = unsentCountOf(db);
  return useSyncExternalStore(shared.subscribe, shared.current);
}

/**
 * W2: true while anything typed has not reached the server: queued or
 * in-flight outbox rows, or text in a composer. An update must not reload then.
 */
export function useUnsentWork(): boolean {
  const { db } = useEngine();
  const unsent = useUnsentCount() > 0;
  const drafted =
    useLiveValue(async () => {
      const drafts = await metaTable.byPrefix<unknown>(db, MetaKey.draft(''));
      return [...drafts.values()].some((value) => typeof value === 'string' && value.trim() !== '');
    }, [db]) ?? false;
  return unsent || drafted;
}
