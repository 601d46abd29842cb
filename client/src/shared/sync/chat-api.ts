import {
  HISTORY_DEFAULT_LIMIT,
  MESSAGES_PATH,
  ROOMS_PATH,
  USERS_PATH,
  type HistoryResponse,
  type RoomsResponse,
  type User,
  type UsersResponse,
} from '@whisper/protocol';

/** REST calls of the client (P5, P12), with the device's bearer token when it has one. */

export interface HistoryQuery {
  roomId: string;
  beforeSeq?: number;
  limit?: number;
}

async function getJson<T>(url: string, token: string | undefined, what: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${what} request failed: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** P5: one page of a room's history, in seq order (private rooms need the token: M3). */
export function fetchHistory(origin: string, { roomId, beforeSeq, limit = HISTORY_DEFAULT_LIMIT }: HistoryQuery, token?: string): Promise<HistoryResponse> {
  const params = new URLSearchParams({ room_id: roomId, limit: String(limit) });
  if (beforeSeq !== undefined) params.set('before_seq', String(beforeSeq));
  return getJson(`${origin}${MESSAGES_PATH}?${params}`, token, 'history');
}

/** A5: names and colours of people by id (at most 100 per request). */
export async function fetchUsers(origin: string, ids: string[], token: string): Promise<User[]> {
  return (await getJson<UsersResponse>(`${origin}${USERS_PATH}?${new URLSearchParams({ ids: ids.join(',') })}`, token, 'users')).data;
}

/** People whose name matches `query` (never the caller). */
export async function searchUsers(origin: string, query: string, token: string): Promise<User[]> {
  return (await getJson<UsersResponse>(`${origin}${USERS_PATH}?${new URLSearchParams({ query })}`, token, 'people search')).data;
}

/** M1: public rooms anyone may join. */
export function fetchPublicRooms(origin: string, token: string): Promise<RoomsResponse> {
  return getJson(`${origin}${ROOMS_PATH}?discover=public`, token, 'public rooms');
}

/** http(s)://host → ws(s)://host */
export function toSocketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}
