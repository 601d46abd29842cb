import { liveQuery } from 'dexie';
import { useEffect, useRef, useState } from 'react';
import { useEngine } from './engine-context';

/** A5: asks the engine for names of people a hook shows without one (the ids arrive with its live query). */
export function useWantPeople(userIds: readonly string[] | undefined): void {
  const { wantUsers } = useEngine();
  const key = userIds?.join(',') ?? '';
  useEffect(() => {
    if (key) wantUsers(key.split(','));
  }, [key, wantUsers]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * `next`, with every part of it that equals the same part of `previous`
 * (plain objects and arrays compared by content, the rest with Object.is)
 * replaced by that part of `previous`; `previous` itself when all of it is
 * equal. So a live query that reads the same data again hands React the
 * objects it already has: nothing re-renders, and memoized children whose
 * part did not change (a row, the room) skip their render.
 */
export function keepEqual<T>(previous: unknown, next: T): T {
  if (Object.is(previous, next)) return previous as T;
  if (Array.isArray(previous) && Array.isArray(next)) {
    let same = previous.length === next.length;
    const merged = next.map((value: unknown, i) => {
      const kept = i < previous.length ? keepEqual(previous[i], value) : value;
      if (kept !== previous[i]) same = false;
      return kept;
    });
    return (same ? previous : merged) as T;
  }
  if (isPlainObject(previous) && isPlainObject(next)) {
    const keys = Object.keys(next);
    let same = keys.length === Object.keys(previous).length;
    const merged: Record<string, unknown> = {};
    for (const key of keys) {
      const kept = key in previous ? keepEqual(previous[key], next[key]) : next[key];
      if (kept !== previous[key] || !(key in previous)) same = false;
      merged[key] = kept;
    }
    return (same ? previous : merged) as T;
  }
  return next;
}

/** The Dexie error of a read transaction committed early: transient, the read is run again. */
const TRANSIENT_READ_ERROR = 'PrematureCommitError';
/** How soon such a read runs again. */
const TRANSIENT_RETRY_MS = 50;

/**
 * A live query of IndexedDB (Dexie's liveQuery) as React state: undefined
 * until the first read has finished, then the latest result. A re-run that
 * reads what it read before keeps the previous result (keepEqual): Dexie
 * re-runs a query after every write that touches what it read (the identity
 * renewed by each hello, a catch-up's cursor, the `rooms` frame), and most of
 * those change nothing shown, so nothing renders again. When `deps` change,
 * the last result stays until the new query's first one (as
 * dexie-react-hooks' useLiveQuery does). A read that failed for good is
 * thrown while rendering, for an error boundary; a transient failure is
 * read again.
 */
export function useLiveValue<T>(read: () => Promise<T>, deps: readonly unknown[]): T | undefined {
  const [state, setState] = useState<{ value: T } | { error: unknown } | null>(null);
  /** What is shown: the last result, or null before the first one (and after an error). */
  const shown = useRef<{ value: T } | null>(null);
  /** Bumped to run the query again after a transient failure. */
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    const subscription = liveQuery(read).subscribe({
      next: (next) => {
        const kept = shown.current ? keepEqual(shown.current.value, next) : next;
        if (shown.current && kept === shown.current.value) return;
        shown.current = { value: kept };
        setState(shown.current);
      },
      error: (error: unknown) => {
        // A read transaction IndexedDB committed under the query (Dexie's
        // PrematureCommitError, seen with several live reads of the same
        // tables at once while another tab or the worker writes): nothing is
        // wrong with the data, so the query runs again, keeping what is shown.
        if ((error as { name?: unknown } | null)?.name === TRANSIENT_READ_ERROR) {
          retry = setTimeout(() => setAttempt((n) => n + 1), TRANSIENT_RETRY_MS);
          return;
        }
        shown.current = null;
        setState({ error });
      },
    });
    return () => {
      clearTimeout(retry);
      subscription.unsubscribe();
    };
    // The callers' deps stand for what `read` reads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, attempt]);
  if (state && 'error' in state) throw state.error;
  return state?.value;
}

/** useLiveValue of a read model that names people, asking for those it cannot name yet (A5). */
export function useLiveRead<T extends { unknownPeople?: readonly string[] } | null>(read: () => Promise<T>, deps: readonly unknown[]): T | undefined {
  const result = useLiveValue(read, deps);
  useWantPeople(result?.unknownPeople);
  return result;
}
