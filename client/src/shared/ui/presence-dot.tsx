import type { ReactNode } from 'react';

/**
 * L1: an avatar with a green dot on its corner while the person is online,
 * and the word "online" for screen readers (never colour alone). The dot's
 * ring is the surface colour, so it stands out on any avatar colour.
 */
export function WithPresence({ online, children }: { online: boolean; children: ReactNode }) {
  return (
    <span className="relative inline-flex shrink-0">
      {children}
      {online && (
        <span data-presence="online" className="absolute -right-0.5 -bottom-0.5 size-3.5 rounded-full border-2 border-surface bg-success">
          <span className="sr-only">online</span>
        </span>
      )}
    </span>
  );
}
