/**
 * One URL per room (reload, back and forward work); the app's router matches
 * it. A room at one of its messages (a search hit, Q3) adds the message's seq:
 * `/rooms/{id}/{seq}`.
 */
export const ROOM_PATH_PATTERN = '/rooms/:roomId/:seq?';

export function roomPath(roomId: string, seq?: number): string {
  return `/rooms/${encodeURIComponent(roomId)}${seq ? `/${seq}` : ''}`;
}
