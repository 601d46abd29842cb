/**
 * Q3: how the first screen's search buttons reach the dialog's host, which
 * comes later (with what waits for start-up): a window event naming the room
 * to search (null: every room). Only this and the buttons are on the first
 * screen; the dialog's code (Headless UI, the request, the device search) is
 * fetched when it is first opened.
 */
export const OPEN_SEARCH_EVENT = 'whisper:search';

export function openSearch(roomId: string | null): void {
  dispatchEvent(new CustomEvent(OPEN_SEARCH_EVENT, { detail: roomId }));
}
