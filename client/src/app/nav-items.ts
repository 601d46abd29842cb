/** The rooms as the sidebar lists them; routes live in app.tsx. */
export interface RoomItem {
  /** The room's name as shown ("general"); its link is named after it (C9). */
  name: string;
  href: string;
}

export const CHAT_PATH = '/chat';

/** Static for now: every user shares `general`, the chat page. */
export const ROOMS: readonly RoomItem[] = [{ name: 'general', href: CHAT_PATH }];
