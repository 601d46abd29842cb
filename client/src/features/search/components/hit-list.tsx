import { formatDayLabel, formatFullDateTime, formatTime } from '../../../shared/ui/format-time';
import { RoomIcon, type RoomKind } from '../../../shared/ui/room-icon';
import type { SearchHit } from '../search-api';
import { SnippetText } from './snippet-text';

/** How a hit's room and sender are shown (from this device's rooms and people). */
export interface HitNames {
  room: (roomId: string) => { name: string; kind: RoomKind; color?: string | null };
  person: (userId: string) => string;
}

export interface HitGroup {
  roomId: string;
  hits: { hit: SearchHit; index: number }[];
}

/**
 * The hits grouped by room, rooms in the order of their best hit; `index`
 * numbers the hits in the order shown, for the arrow keys.
 */
export function groupByRoom(hits: readonly SearchHit[]): HitGroup[] {
  const groups = new Map<string, HitGroup>();
  for (const hit of hits) {
    let group = groups.get(hit.room_id);
    if (!group) groups.set(hit.room_id, (group = { roomId: hit.room_id, hits: [] }));
    group.hits.push({ hit, index: 0 });
  }
  let index = 0;
  for (const group of groups.values()) for (const entry of group.hits) entry.index = index++;
  return [...groups.values()];
}

export const hitOptionId = (listId: string, index: number) => `${listId}-${index}`;

export interface HitListProps {
  id: string;
  groups: readonly HitGroup[];
  names: HitNames;
  /** The hit the arrow keys are on. */
  active: number;
  onActivate: (index: number) => void;
  onOpen: (hit: SearchHit) => void;
}

/** Q3: the hits, one group per room (its picture and name), each with its sender, time and snippet. */
export function HitList({ id, groups, names, active, onActivate, onOpen }: HitListProps) {
  return (
    <div id={id} role="listbox" aria-label="Results" className="-mx-2 flex flex-col gap-3">
      {groups.map((group) => {
        const room = names.room(group.roomId);
        return (
          <div key={group.roomId} role="group" aria-label={room.name} className="flex flex-col">
            <div aria-hidden="true" className="flex items-center gap-2 px-2 pb-1 text-xs font-semibold text-ink-muted">
              <RoomIcon kind={room.kind} name={room.name} color={room.color} size="sm" />
              <span className="truncate">{room.name}</span>
            </div>
            {group.hits.map(({ hit, index }) => (
              <div
                key={hit.id}
                id={hitOptionId(id, index)}
                role="option"
                aria-selected={index === active}
                data-hit={hit.id}
                onPointerMove={() => index !== active && onActivate(index)}
                onClick={() => onOpen(hit)}
                className="flex cursor-pointer flex-col gap-0.5 rounded-lg px-2 py-2 aria-selected:bg-surface-muted"
              >
                <span className="flex items-baseline gap-2 text-xs text-ink-muted">
                  <span className="truncate font-medium text-ink">{names.person(hit.user_id)}</span>
                  <time dateTime={hit.created_at} title={formatFullDateTime(hit.created_at)} className="shrink-0">
                    {formatDayLabel(hit.created_at)}, {formatTime(hit.created_at)}
                  </time>
                </span>
                <span className="line-clamp-3 text-sm break-words">
                  <SnippetText snippet={hit.snippet} />
                </span>
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}
