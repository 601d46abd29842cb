import { useCallback, useEffect, useRef, useState } from 'react';
import { SearchRefused, type SearchHit, type SearchPage, type SearchRequest } from './search-api';

/** Q3: how long typing must pause before the words are searched. */
export const SEARCH_DEBOUNCE_MS = 250;

/** HTTP statuses that mean the server itself could not be reached (a proxy's answer): search the device instead. */
const UNREACHABLE_STATUSES = new Set([502, 503, 504]);

/** Where the hits came from: the server (Q1), or this device's cache because the server could not be asked (Q2). */
export type HitSource = 'server' | 'device';

export interface SearchSources {
  server: (request: SearchRequest) => Promise<SearchPage>;
  device: (request: SearchRequest) => Promise<SearchPage>;
}

export interface MessageSearch {
  status: 'idle' | 'loading' | 'done' | 'error';
  hits: SearchHit[];
  source: HitSource;
  /** What went wrong, for the user (status 'error', or a failed Load more). */
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

interface State {
  status: MessageSearch['status'];
  hits: SearchHit[];
  source: HitSource;
  error: string | null;
  cursor: string | null;
  loadingMore: boolean;
}

const IDLE: State = { status: 'idle', hits: [], source: 'server', error: null, cursor: null, loadingMore: false };

/** Whether a failure means the server was out of reach (fetch's TypeError, a gateway's 5xx) rather than a refusal. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof SearchRefused ? UNREACHABLE_STATUSES.has(error.status) : true;
}

/** What a refusal means, in words. */
function refusalText(error: unknown): string {
  if (error instanceof SearchRefused && error.status === 404) return 'You are not in that room any more, so it cannot be searched.';
  if (error instanceof SearchRefused && error.status === 401) return 'Your session has ended. Log in again to search.';
  return 'Search is not working right now. Try again in a moment.';
}

/**
 * Q1–Q3: the hits for `query` (in `roomId`, or every room of the user),
 * searched once typing pauses; the server's first, the device's when the
 * server cannot be reached. Load more continues from the same source.
 */
export function useMessageSearch(query: string, roomId: string | null, sources: SearchSources): MessageSearch {
  const [state, setState] = useState<State>(IDLE);
  const latest = useRef({ query, roomId, sources, state });
  latest.current = { query, roomId, sources, state };
  /** Bumped by every new query: a late answer to an older one is dropped. */
  const generation = useRef(0);
  const q = query.trim();

  const run = useCallback(async (cursor: string | null, source: HitSource) => {
    const mine = generation.current;
    const { query, roomId, sources } = latest.current;
    const request = { q: query.trim(), roomId, cursor };
    let page: SearchPage;
    let from = source;
    try {
      page = source === 'server' ? await sources.server(request) : await sources.device(request);
    } catch (error) {
      if (generation.current !== mine) return;
      if (source === 'server' && cursor === null && isUnreachable(error)) {
        from = 'device';
        try {
          page = await sources.device(request);
        } catch (deviceError) {
          console.warn('whisper: could not search this device', deviceError);
          if (generation.current === mine) setState({ ...IDLE, status: 'error', error: 'Cannot search right now: the server is out of reach and this device’s messages could not be read.' });
          return;
        }
      } else {
        const text = cursor === null ? refusalText(error) : 'Could not load more results. Try again.';
        setState((s) => (cursor === null ? { ...IDLE, status: 'error', error: text } : { ...s, loadingMore: false, error: text }));
        return;
      }
    }
    if (generation.current !== mine) return;
    setState((s) => ({
      status: 'done',
      hits: cursor === null ? page.data : [...s.hits, ...page.data],
      source: from,
      error: null,
      cursor: page.next_cursor,
      loadingMore: false,
    }));
  }, []);

  useEffect(() => {
    const mine = ++generation.current;
    if (!q) {
      setState(IDLE);
      return;
    }
    setState((s) => ({ ...s, status: 'loading', error: null }));
    const timer = setTimeout(() => {
      if (generation.current === mine) void run(null, 'server');
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, roomId, run]);

  const loadMore = useCallback(() => {
    const { state } = latest.current;
    if (state.cursor === null || state.loadingMore) return;
    setState((s) => ({ ...s, loadingMore: true, error: null }));
    void run(state.cursor, state.source);
  }, [run]);

  return { status: state.status, hits: state.hits, source: state.source, error: state.error, hasMore: state.cursor !== null, loadingMore: state.loadingMore, loadMore };
}
