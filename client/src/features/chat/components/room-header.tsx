import type { ReactNode } from 'react';
import type { RoomSubtitle } from './room-subtitle';
import { ICON_BUTTON } from '../../../shared/ui/buttons';
import { ChevronLeftIcon } from '../../../shared/ui/icons';
import { RoomIcon, type RoomKind } from '../../../shared/ui/room-icon';

export interface RoomHeaderProps {
  /** The room as the list names it (a DM: the other person's display name). */
  name: string;
  kind: RoomKind;
  /** A DM: the other person's colour, for their avatar. */
  color?: string | null;
  /** A DM's: the other person's profile picture (media id). */
  avatar?: string | null;
  /** "Private group · 3 members", "Direct message", … */
  subtitle: RoomSubtitle | null;
  /** Phones only: back to the room list (from `md` up the list is beside the room). */
  onBack: () => void;
  /** The connection indicator. */
  status: ReactNode;
  /** The end of the bar: the details button, from the app. */
  actions?: ReactNode;
}

/**
 * The room's bar: its name (the page's heading) with its picture and what
 * kind of room it is, the connection, and the room's actions. On a phone a
 * back button leads to the list, which is the home screen there.
 */
export function RoomHeader({ name, kind, color, avatar, subtitle, onBack, status, actions }: RoomHeaderProps) {
  return (
    <header className="flex min-h-16 shrink-0 items-center gap-2 border-b border-line bg-surface py-2 pr-2 pl-1 md:gap-3 md:pl-4">
      <button type="button" aria-label="Back to rooms" onClick={onBack} className={`${ICON_BUTTON} md:hidden`}>
        <ChevronLeftIcon className="size-6" />
      </button>
      <RoomIcon kind={kind} name={name} color={color} avatar={avatar} />
      {/* Never squeezed away by a long connection status: that one truncates first. */}
      <div className="flex min-w-24 flex-1 flex-col">
        <h1 id="room-title" className="truncate text-base leading-tight font-semibold">
          {name}
        </h1>
        {subtitle && (
          <p className="truncate text-xs text-ink-muted">
            {/* A phone's bar is narrow: the picture already tells the kind, the count matters more. */}
            {subtitle.detail ? (
              <>
                <span className="max-sm:sr-only">{subtitle.kind} · </span>
                {subtitle.detail}
              </>
            ) : (
              subtitle.kind
            )}
          </p>
        )}
      </div>
      <div className="flex max-w-[55%] min-w-0 shrink items-center justify-end">{status}</div>
      {actions}
    </header>
  );
}
