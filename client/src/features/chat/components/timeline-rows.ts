import { dayKey, dayStart, formatDayLabel, minutesBetween } from '../../../shared/ui/format-time';
import type { TimelineEntry, TimelineItem, TimelineNotice } from '../../../shared/sync/timeline';

/**
 * Consecutive messages from one sender read as one run while each follows
 * the one before within this many minutes and the whole run spans no more
 * than this either: the run shows its time once, on its last bubble, so that
 * time must stay close to every message in it.
 */
export const GROUP_WINDOW_MINUTES = 5;

export type TimelineRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'notice'; key: string; notice: TimelineNotice }
  /** L3: the "New messages" divider. */
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; item: TimelineItem; groupStart: boolean; groupEnd: boolean };

/** Whether `next` continues the run that `runStart` began and `prev` last extended. */
function continuesRun(runStart: TimelineItem, prev: TimelineItem, next: TimelineItem): boolean {
  return (
    prev.own === next.own &&
    prev.userId === next.userId &&
    dayKey(prev.createdAt) === dayKey(next.createdAt) &&
    minutesBetween(prev.createdAt, next.createdAt) <= GROUP_WINDOW_MINUTES &&
    minutesBetween(runStart.createdAt, next.createdAt) <= GROUP_WINDOW_MINUTES
  );
}

/**
 * Turns the timeline into what the list draws: a day separator before the
 * first message of each local day, and per message whether it starts and/or
 * ends a run from the same sender. A run's first bubble carries the avatar
 * and handle, its last one the time (like the group runs of WhatsApp or
 * Signal); `createdAt` is the time a message was written (see TimelineItem).
 * A membership notice (M4) is a row of its own and ends the run before it:
 * the messages after "Ana joined" start afresh under a name. With
 * `unreadAfterSeq` (L3), a "New messages" row goes before the first message
 * from someone else after that seq.
 */
export function timelineRows(items: readonly TimelineEntry[], now: Date = new Date(), unreadAfterSeq: number | null = null): TimelineRow[] {
  const rows: TimelineRow[] = [];
  // L3: the divider goes before the first message from someone else past the marker.
  const firstUnread = unreadAfterSeq === null ? -1 : items.findIndex((item) => item.kind === 'message' && !item.own && item.seq !== null && item.seq > unreadAfterSeq);
  // Where each run starts, decided front to back (notices start none and end any).
  const starts: boolean[] = [];
  let runStart: TimelineItem | undefined;
  items.forEach((item, i) => {
    if (item.kind === 'notice') {
      runStart = undefined;
      starts.push(false);
      return;
    }
    const prev = items[i - 1];
    const start = !prev || prev.kind === 'notice' || !runStart || !continuesRun(runStart, prev, item);
    if (start) runStart = item;
    starts.push(start);
  });
  // Days only move forward: a message written before the one above it was
  // stored (queued offline overnight) stays under the later day's separator
  // instead of bringing back an earlier day in the middle of a later one.
  let lastDay = -Infinity;
  items.forEach((item, i) => {
    const day = dayStart(item.createdAt);
    if (i === 0 || day > lastDay) {
      if (!Number.isNaN(day)) lastDay = day;
      rows.push({ kind: 'day', key: `day:${dayKey(item.createdAt)}:${item.key}`, label: formatDayLabel(item.createdAt, now) });
    }
    if (item.kind === 'notice') {
      rows.push({ kind: 'notice', key: item.key, notice: item });
      return;
    }
    if (i === firstUnread) rows.push({ kind: 'unread', key: 'unread-divider' });
    const next = items[i + 1];
    rows.push({ kind: 'message', key: item.key, item, groupStart: starts[i], groupEnd: !next || next.kind === 'notice' || starts[i + 1] });
  });
  return rows;
}
