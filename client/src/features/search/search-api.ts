/**
 * Q1: `GET /v1/search` as the client calls it. The wire types are written
 * out here (they are the contract's: DESIGN Q1) so the search chunk carries
 * nothing of the protocol package's schemas.
 */

export const SEARCH_PATH = '/v1/search';

export interface SearchHit {
  id: string;
  room_id: string;
  seq: number;
  user_id: string;
  content: string;
  created_at: string;
  /** HTML-escaped text with the matches in `<mark>`…`</mark>` (rendered by snippet.ts, never as HTML). */
  snippet: string;
}

export interface SearchPage {
  data: SearchHit[];
  next_cursor: string | null;
}

export interface SearchRequest {
  q: string;
  roomId?: string | null;
  cursor?: string | null;
}

/** The server answered, with a refusal (4xx/5xx): not a reason to search the device instead. */
export class SearchRefused extends Error {
  constructor(readonly status: number) {
    super(`search request failed: HTTP ${status}`);
    this.name = 'SearchRefused';
  }
}

/**
 * One page of hits. A network failure (offline, server down) rejects with
 * fetch's TypeError; an answer that is not 2xx with SearchRefused.
 */
export async function fetchSearch(origin: string, token: string | undefined, { q, roomId, cursor }: SearchRequest): Promise<SearchPage> {
  const params = new URLSearchParams({ q });
  if (roomId) params.set('room_id', roomId);
  if (cursor) params.set('cursor', cursor);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${origin}${SEARCH_PATH}?${params}`, { headers });
  if (!response.ok) throw new SearchRefused(response.status);
  return (await response.json()) as SearchPage;
}
