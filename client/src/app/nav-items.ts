/** The app's pages as the sidebar lists them; routes live in app.tsx. */
export interface NavItem {
  href: string;
  label: string;
}

export const CHAT_PATH = '/chat';

export const NAV_ITEMS: readonly NavItem[] = [{ href: CHAT_PATH, label: 'Whisper Chat' }];

/** The rooms the sidebar shows. Static for now: every user shares `general`. */
export const ROOMS: readonly string[] = ['general'];
