import { useId, useRef, type ReactNode, type TouchEvent } from 'react';
import { StorageNotice } from '../features/storage/storage-notice';
import { Brand } from './brand';
import { CloseIcon } from '../shared/ui/icons';
import { MenuIcon } from './icons';
import { Sidebar } from './sidebar';
import { useDrawer } from './use-drawer';

/** A leftward swipe longer than this (px) on the open drawer closes it. */
const SWIPE_CLOSE_DISTANCE = 60;

export interface LayoutProps {
  /** The page. It fills the main area (100dvh minus the phone header) and scrolls itself. */
  children: ReactNode;
  /** Optional content for the bottom of the sidebar (e.g. connection status). */
  sidebarFooter?: ReactNode;
}

/**
 * The app shell. One sidebar element serves both layouts, so there is only
 * ever one nav in the DOM: from `md` up it is a fixed left column; on phones
 * it is an off-canvas drawer (a modal dialog while open, the rest of the page
 * inert behind it) opened from the header's menu button.
 *
 * Safe areas: the drawer and header pad by the device insets; the main area
 * pads left/right (phones) and bottom, so a page's composer clears the home
 * indicator without adding its own inset.
 */
export function Layout({ children, sidebarFooter }: LayoutProps) {
  const drawer = useDrawer();
  const sidebarId = useId();
  const swipeStartX = useRef<number | null>(null);

  const onTouchStart = (event: TouchEvent) => {
    swipeStartX.current = event.touches[0]?.clientX ?? null;
  };
  const onTouchEnd = (event: TouchEvent) => {
    const start = swipeStartX.current;
    const end = event.changedTouches[0]?.clientX;
    swipeStartX.current = null;
    if (start !== null && end !== undefined && start - end > SWIPE_CLOSE_DISTANCE) drawer.hide();
  };

  return (
    <div className="flex h-dvh flex-col overflow-hidden bg-canvas text-ink">
      {/*
        Focused, the skip link is a bar of its own above the shell and pushes
        it down, instead of being drawn over the brand or the header.
      */}
      <a
        href="#main"
        inert={drawer.open}
        className="sr-only shrink-0 border-b border-line bg-surface text-sm font-medium text-accent-text focus:not-sr-only focus:block focus:px-4 focus:pt-[max(0.75rem,env(safe-area-inset-top))] focus:pb-3 focus:-outline-offset-2"
      >
        Skip to content
      </a>

      <div className="flex min-h-0 flex-1">
        <div
          aria-hidden="true"
          onClick={drawer.hide}
          className={`fixed inset-0 z-30 bg-slate-950/40 transition-opacity duration-200 md:hidden ${
            drawer.open ? 'opacity-100' : 'pointer-events-none opacity-0'
          }`}
        />

        <aside
          id={sidebarId}
          role={drawer.open ? 'dialog' : undefined}
          aria-modal={drawer.open ? true : undefined}
          aria-label={drawer.open ? 'Menu' : 'Sidebar'}
          onTouchStart={drawer.open ? onTouchStart : undefined}
          onTouchEnd={drawer.open ? onTouchEnd : undefined}
          // Closed, the drawer is also `invisible`: out of the tab order and the
          // accessibility tree. Visibility is transitioned only when closing (so
          // the slide-out stays visible); when opening it flips at once, so the
          // close button can take focus straight away.
          className={`fixed inset-y-0 left-0 z-40 flex w-72 max-w-[85vw] flex-col overflow-y-auto overscroll-contain border-r border-line bg-surface pt-safe pb-safe pl-safe shadow-xl duration-200 ease-out md:static md:z-auto md:w-64 md:shrink-0 md:max-w-none md:translate-x-0 md:shadow-none md:visible ${
            drawer.open ? 'visible translate-x-0 transition-[translate]' : 'invisible -translate-x-full transition-[translate,visibility]'
          }`}
        >
          <Sidebar
            onNavigate={drawer.hide}
            footer={sidebarFooter}
            headerAction={
              <button
                ref={drawer.initialFocusRef}
                type="button"
                aria-label="Close menu"
                onClick={drawer.hide}
                className="-my-1.5 grid size-11 place-items-center rounded-lg text-ink-muted hover:bg-surface-muted hover:text-ink md:hidden"
              >
                <CloseIcon className="size-6" />
              </button>
            }
          />
        </aside>

        <div inert={drawer.open} className="flex min-w-0 flex-1 flex-col">
          <header className="flex shrink-0 items-center gap-2 border-b border-line bg-surface pt-safe pr-safe pl-safe md:hidden">
            <div className="flex h-14 items-center gap-2 px-2">
              <button
                ref={drawer.triggerRef}
                type="button"
                aria-label="Open menu"
                aria-expanded={drawer.open}
                aria-controls={sidebarId}
                onClick={drawer.show}
                className="grid size-11 place-items-center rounded-lg text-ink hover:bg-surface-muted"
              >
                <MenuIcon />
              </button>
              <Brand />
            </div>
          </header>
          <StorageNotice />
          <main id="main" tabIndex={-1} className="flex min-h-0 flex-1 flex-col pr-safe pb-safe pl-safe md:pl-0 focus:outline-none">
            {children}
          </main>
        </div>
      </div>
    </div>
  );
}
