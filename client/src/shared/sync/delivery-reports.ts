import { MAX_DELIVERED_ROOMS, RoomKind, type DeliveredFrame, type Room } from '@whisper/protocol';

/**
 * L4 on the wire: how far this device has stored its DMs' and groups' logs,
 * reported to the server so the senders there see "delivered". The cursors
 * come from IndexedDB, read after every write queued before (the store
 * writer runs the read in order), so a report never claims what is not
 * stored. Only rooms whose cursor moved since the last report on this
 * socket are named.
 */

/** The rooms whose members see receipts: DMs and groups (a public room has none). */
export function receiptRooms(rooms: readonly Room[]): string[] {
  return rooms.filter((room) => room.kind !== RoomKind.Public).map((room) => room.id);
}

/** The report to send for these stored cursors, if any moved, and what has been reported after it. */
export function deliveredReport(
  stored: Record<string, number>,
  reported: Record<string, number>,
): { frame: DeliveredFrame | null; reported: Record<string, number> } {
  const data = Object.entries(stored)
    .filter(([roomId, seq]) => seq > (reported[roomId] ?? -1))
    .slice(0, MAX_DELIVERED_ROOMS)
    .map(([room_id, seq]) => ({ room_id, seq }));
  if (data.length === 0) return { frame: null, reported };
  const next = { ...reported };
  for (const { room_id, seq } of data) next[room_id] = seq;
  return { frame: { type: 'delivered', data }, reported: next };
}
