/**
 * A short, stable, human-friendly identity for an anonymous user: "Guest 8d83"
 * plus a colour picked deterministically from the user id. The id itself is a
 * random UUID (P1), so its first hex digits are as good as a name.
 */

export interface UserColour {
  /** Avatar background (white text on it). */
  avatar: string;
  /** The handle's text colour, readable in light and dark mode. */
  text: string;
}

// Written out in full so Tailwind's scanner sees every class.
const PALETTE: readonly UserColour[] = [
  { avatar: 'bg-rose-600', text: 'text-rose-700 dark:text-rose-300' },
  { avatar: 'bg-orange-700', text: 'text-orange-700 dark:text-orange-300' },
  { avatar: 'bg-amber-700', text: 'text-amber-700 dark:text-amber-300' },
  { avatar: 'bg-emerald-700', text: 'text-emerald-700 dark:text-emerald-300' },
  { avatar: 'bg-teal-700', text: 'text-teal-700 dark:text-teal-300' },
  { avatar: 'bg-sky-700', text: 'text-sky-700 dark:text-sky-300' },
  { avatar: 'bg-violet-600', text: 'text-violet-700 dark:text-violet-300' },
  { avatar: 'bg-fuchsia-700', text: 'text-fuchsia-700 dark:text-fuchsia-300' },
];

function shortId(userId: string | null): string {
  return (userId ?? '').replace(/[^0-9a-z]/gi, '').slice(0, 4).toLowerCase();
}

/** "Guest 8d83" for "8d83…"; just "Guest" when there is no id. */
export function userHandle(userId: string | null): string {
  const short = shortId(userId);
  return short ? `Guest ${short}` : 'Guest';
}

/** Two characters for the avatar circle. */
export function userInitials(userId: string | null): string {
  return shortId(userId).slice(0, 2) || '?';
}

/** FNV-1a: small, fast, and spreads similar ids across the palette. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function userColour(userId: string | null): UserColour {
  return PALETTE[hash(userId ?? '') % PALETTE.length];
}
