import type { TimelineItem } from '../../../shared/sync/timeline';
import { dayKey, formatDayLabel, minutesBetween } from './format-time';

/** Consecutive messages from one sender closer than this read as one run. */
export const GROUP_WINDOW_MINUTES = 5;

export type TimelineRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; item: TimelineItem; groupStart: boolean; groupEnd: boolean };

function sameRun(a: TimelineItem, b: TimelineItem): boolean {
  return (
    a.own === b.own &&
    a.userId === b.userId &&
    dayKey(a.createdAt) === dayKey(b.createdAt) &&
    minutesBetween(a.createdAt, b.createdAt) <= GROUP_WINDOW_MINUTES
  );
}

/**
 * Turns the timeline into what the list draws: a day separator before the
 * first message of each local day, and per message whether it starts and/or
 * ends a run from the same sender (for avatars, spacing and bubble corners).
 */
export function timelineRows(items: readonly TimelineItem[], now: Date = new Date()): TimelineRow[] {
  const rows: TimelineRow[] = [];
  items.forEach((item, i) => {
    const prev = items[i - 1];
    const next = items[i + 1];
    const day = dayKey(item.createdAt);
    if (!prev || dayKey(prev.createdAt) !== day) {
      rows.push({ kind: 'day', key: `day:${day}:${item.key}`, label: formatDayLabel(item.createdAt, now) });
    }
    rows.push({
      kind: 'message',
      key: item.key,
      item,
      groupStart: !prev || !sameRun(prev, item),
      groupEnd: !next || !sameRun(item, next),
    });
  });
  return rows;
}
