/** One URL per room (reload, back and forward work); the app's router matches it. */
export const ROOM_PATH_PATTERN = '/rooms/:roomId';

export function roomPath(roomId: string): string {
  return `/rooms/${encodeURIComponent(roomId)}`;
}
