import type { ReactNode } from 'react';
import { useLocation } from 'wouter';
import { LaterNotificationsPrompt, LaterStorageNotice } from './deferred';
import { useIsDesktop } from './navigation';
import { Sidebar } from './sidebar';

export interface LayoutProps {
  /** The page (a room). It fills the main pane and scrolls itself. */
  children: ReactNode;
  /** Optional content for the bottom of the sidebar (who you are). */
  sidebarFooter?: ReactNode;
}

/**
 * The app shell, list first as in WhatsApp or Signal. From `md` up: two
 * panes, the sidebar with the rooms on the left and the open room on the
 * right. On a phone one at a time: `/` is the room list, and a room slides
 * in over it (its bar has the way back). There is one sidebar element in the
 * DOM for both, kept mounted, so the list keeps its scroll position while a
 * room is open on a phone. (A phone that opens on a room mounts the list
 * once start-up has settled: it is not on its first screen.)
 *
 * Safe areas: the shell pads the top inset; the sidebar pads the others;
 * the main pane pads right and bottom (and left on phones), so a room's
 * composer clears the home indicator without an inset of its own.
 */
export function Layout({ children, sidebarFooter }: LayoutProps) {
  const [location] = useLocation();
  // On a phone the home screen is the list alone; anything else (a room, a
  // page not found) takes the screen.
  const home = location === '/';
  const desktop = useIsDesktop();

  return (
    <div className="flex h-dvh flex-col overflow-hidden bg-canvas pt-safe text-ink">
      {/*
        Focused, the skip link is a bar of its own above the shell and pushes
        it down, instead of being drawn over the brand. On a phone's list
        there is no content beside the navigation to skip to.
      */}
      <a
        href="#main"
        className={`sr-only shrink-0 border-b border-line bg-surface text-sm font-medium text-accent-text focus:not-sr-only focus:block focus:px-4 focus:pt-[max(0.75rem,env(safe-area-inset-top))] focus:pb-3 focus:-outline-offset-2 ${
          home ? 'max-md:hidden' : ''
        }`}
      >
        Skip to content
      </a>
      {/*
        Only with unsent work or after a refusal (C1), neither of which the
        first screen needs to know about: mounted, and its code fetched, once
        start-up has settled.
      */}
      <LaterStorageNotice />
      <LaterNotificationsPrompt />

      <div className="flex min-h-0 flex-1">
        <aside
          aria-label="Sidebar"
          className={`${home ? 'flex' : 'hidden'} w-full flex-col overflow-y-auto overscroll-contain bg-surface pr-safe pb-safe pl-safe md:flex md:w-80 md:shrink-0 md:border-r md:border-line md:pr-0`}
        >
          <Sidebar footer={sidebarFooter} shown={home || desktop} />
        </aside>

        <main
          id="main"
          tabIndex={-1}
          className={`${home ? 'hidden' : 'flex'} min-h-0 min-w-0 flex-1 flex-col pr-safe pb-safe pl-safe focus:outline-none md:flex md:pl-0 max-md:motion-safe:transition-transform max-md:motion-safe:duration-200 max-md:motion-safe:ease-out max-md:motion-safe:starting:translate-x-full`}
        >
          {children}
        </main>
      </div>
    </div>
  );
}
