import { useId, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { Brand } from './brand';
import { NAV_ITEMS, ROOMS } from './nav-items';

export interface SidebarProps {
  /** Called when a nav link is followed; the phone drawer closes itself with it. */
  onNavigate?: () => void;
  /** Bottom slot, e.g. connection status; nothing is rendered when absent. */
  footer?: ReactNode;
  /** Shown at the end of the brand row (the drawer's close button). */
  headerAction?: ReactNode;
}

/** The sidebar's content: brand, main nav, rooms, and the optional footer slot. */
export function Sidebar({ onNavigate, footer, headerAction }: SidebarProps) {
  return (
    <div className="flex min-h-full flex-col gap-6 px-3 py-4">
      <div className="flex items-center justify-between gap-2 px-2">
        <Brand />
        {headerAction}
      </div>
      <MainNav onNavigate={onNavigate} />
      <RoomList />
      {footer !== undefined && <div className="mt-auto px-2">{footer}</div>}
    </div>
  );
}

function MainNav({ onNavigate }: { onNavigate?: () => void }) {
  const [location] = useLocation();
  return (
    <nav aria-label="Main">
      <ul className="flex flex-col gap-1">
        {NAV_ITEMS.map(({ href, label }) => {
          const active = location === href;
          return (
            <li key={href}>
              <Link
                href={href}
                onClick={onNavigate}
                aria-current={active ? 'page' : undefined}
                className={`flex min-h-11 items-center rounded-lg px-3 text-sm font-medium transition-colors ${
                  active ? 'bg-accent-soft text-accent-text' : 'text-ink-muted hover:bg-surface-muted hover:text-ink'
                }`}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function RoomList() {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className="px-3 pb-1 text-xs font-semibold tracking-wide text-ink-muted uppercase">
        Rooms
      </h2>
      <ul className="flex flex-col gap-1">
        {ROOMS.map((room) => (
          <li key={room} className="flex min-h-9 items-center px-3 text-sm text-ink">
            {`# ${room}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
