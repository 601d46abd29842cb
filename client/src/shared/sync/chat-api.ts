import { HISTORY_DEFAULT_LIMIT, MESSAGES_PATH, type HistoryResponse } from '@whisper/protocol';

export interface HistoryQuery {
  roomId: string;
  beforeSeq?: number;
  limit?: number;
}

/** P5: one page of a room's history, in seq order. */
export async function fetchHistory(origin: string, { roomId, beforeSeq, limit = HISTORY_DEFAULT_LIMIT }: HistoryQuery): Promise<HistoryResponse> {
  const params = new URLSearchParams({ room_id: roomId, limit: String(limit) });
  if (beforeSeq !== undefined) params.set('before_seq', String(beforeSeq));
  const response = await fetch(`${origin}${MESSAGES_PATH}?${params}`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`history request failed: HTTP ${response.status}`);
  return (await response.json()) as HistoryResponse;
}

/** http(s)://host → ws(s)://host */
export function toSocketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}
