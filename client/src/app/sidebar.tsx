import { useId, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { Brand } from './brand';
import { ROOMS } from './nav-items';

export interface SidebarProps {
  /** Called when a nav link is followed; the phone drawer closes itself with it. */
  onNavigate?: () => void;
  /** Bottom slot, e.g. connection status; nothing is rendered when absent. */
  footer?: ReactNode;
  /** Shown at the end of the brand row (the drawer's close button). */
  headerAction?: ReactNode;
}

/**
 * The sidebar's content: the brand, the rooms, and the optional footer slot.
 * The brand names the app once; the rooms are a navigation landmark named
 * "Rooms" whose links are named after the rooms (C9), like the channel list
 * of any chat app.
 */
export function Sidebar({ onNavigate, footer, headerAction }: SidebarProps) {
  return (
    <div className="flex min-h-full flex-col gap-6 px-3 py-4">
      <div className="flex items-center justify-between gap-2 px-2">
        <Brand />
        {headerAction}
      </div>
      <RoomList onNavigate={onNavigate} />
      {footer !== undefined && <div className="mt-auto px-2">{footer}</div>}
    </div>
  );
}

function RoomList({ onNavigate }: { onNavigate?: () => void }) {
  const headingId = useId();
  const [location] = useLocation();
  return (
    <nav aria-labelledby={headingId}>
      <h2 id={headingId} className="px-3 pb-1 text-xs font-semibold tracking-wide text-ink-muted uppercase">
        Rooms
      </h2>
      <ul className="flex flex-col gap-1">
        {ROOMS.map(({ name, href }) => {
          const active = location === href;
          return (
            <li key={href}>
              <Link
                href={href}
                onClick={onNavigate}
                aria-current={active ? 'page' : undefined}
                className={`flex min-h-11 items-center gap-1.5 rounded-lg px-3 text-sm font-medium transition-colors ${
                  active ? 'bg-accent-soft text-accent-text' : 'text-ink-muted hover:bg-surface-muted hover:text-ink'
                }`}
              >
                <span aria-hidden="true">#</span>
                {name}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
