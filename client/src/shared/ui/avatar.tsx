import { lazy, Suspense } from 'react';

/** The picture's loader, a lazy chunk: most people have none, and the first screen draws initials. */
const AvatarImage = lazy(() => import('./avatar-image'));

/**
 * A person's avatar (A5): their initials on their colour, and their
 * profile picture over them when they have one (avatar-image.tsx). The server gives
 * each person one of a dozen colour names (server/identity/display-names.ts);
 * the classes for each are written out in full so Tailwind's scanner sees
 * them. The 700 shades keep white initials, and the 700/300 text shades
 * keep a name in that colour, above WCAG AA contrast in light and dark mode.
 */

export interface PersonColour {
  /** Avatar background (white text on it). */
  avatar: string;
  /** A name in the person's colour, readable on the canvas and on surfaces. */
  text: string;
}

const COLOURS: Readonly<Record<string, PersonColour>> = {
  red: { avatar: 'bg-red-700', text: 'text-red-700 dark:text-red-300' },
  orange: { avatar: 'bg-orange-700', text: 'text-orange-700 dark:text-orange-300' },
  amber: { avatar: 'bg-amber-700', text: 'text-amber-700 dark:text-amber-300' },
  lime: { avatar: 'bg-lime-700', text: 'text-lime-700 dark:text-lime-300' },
  green: { avatar: 'bg-green-700', text: 'text-green-700 dark:text-green-300' },
  teal: { avatar: 'bg-teal-700', text: 'text-teal-700 dark:text-teal-300' },
  cyan: { avatar: 'bg-cyan-700', text: 'text-cyan-700 dark:text-cyan-300' },
  sky: { avatar: 'bg-sky-700', text: 'text-sky-700 dark:text-sky-300' },
  blue: { avatar: 'bg-blue-700', text: 'text-blue-700 dark:text-blue-300' },
  indigo: { avatar: 'bg-indigo-700', text: 'text-indigo-700 dark:text-indigo-300' },
  violet: { avatar: 'bg-violet-700', text: 'text-violet-700 dark:text-violet-300' },
  pink: { avatar: 'bg-pink-700', text: 'text-pink-700 dark:text-pink-300' },
};

/** For a colour this client does not know yet (a newer server's palette), or a person not loaded yet. */
const NEUTRAL: PersonColour = { avatar: 'bg-slate-600', text: 'text-ink-muted' };

export function personColour(color: string | null | undefined): PersonColour {
  return (color && COLOURS[color]) || NEUTRAL;
}

/** "Quiet Otter" → "QO", "ana" → "A", "" → "?". Letters of the first two words, as most chat apps draw them. */
export function initials(name: string): string {
  const letters = name
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => Array.from(word)[0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

const SIZES = {
  sm: 'size-8 text-xs',
  md: 'size-10 text-sm',
  lg: 'size-16 text-xl',
} as const;

export interface AvatarProps {
  name: string;
  color: string | null | undefined;
  /** The profile picture's media id; none: the initials only. */
  avatar?: string | null;
  size?: keyof typeof SIZES;
  className?: string;
}

/** Decorative: whatever shows the avatar also shows (or names) the person. */
export function Avatar({ name, color, avatar, size = 'md', className = '' }: AvatarProps) {
  return (
    <span
      aria-hidden="true"
      className={`relative grid shrink-0 place-items-center rounded-full font-semibold text-white select-none ${SIZES[size]} ${personColour(color).avatar} ${className}`}
    >
      {initials(name)}
      {avatar && (
        <Suspense>
          <AvatarImage id={avatar} />
        </Suspense>
      )}
    </span>
  );
}
