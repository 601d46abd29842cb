import { describe, expect, it } from 'vitest';
import type { TimelineEntry, TimelineItem } from '../../../shared/sync/timeline';
import { makeItem, makeNotice, OTHER_USER, OWN_USER } from './test-items';
import { GROUP_WINDOW_MINUTES, timelineRows, type TimelineRow } from './timeline-rows';

const NOON = new Date(2026, 4, 12, 12, 0, 0);
const at = (minutes: number) => new Date(NOON.getTime() + minutes * 60_000).toISOString();
const THIRD = 'a0c1d2e3-0000-4000-8000-000000000003';

function other(minutes: number, userId = OTHER_USER): TimelineItem {
  return makeItem({ userId, createdAt: at(minutes) });
}
function mine(minutes: number): TimelineItem {
  return makeItem({ own: true, userId: OWN_USER, createdAt: at(minutes) });
}

type MessageRow = Extract<TimelineRow, { kind: 'message' }>;
const messages = (rows: TimelineRow[]) => rows.filter((row): row is MessageRow => row.kind === 'message');
/** One letter per message: S starts a run, E ends it, B both (a run of one), '-' neither. */
function runs(items: TimelineEntry[]): string {
  return messages(timelineRows(items, NOON))
    .map(({ groupStart, groupEnd }) => (groupStart && groupEnd ? 'B' : groupStart ? 'S' : groupEnd ? 'E' : '-'))
    .join('');
}

describe('timelineRows: runs', () => {
  it('[C6] consecutive messages of one sender a minute apart are one run: the time shows once, on its last bubble', () => {
    expect(runs([other(0), other(1), other(2)])).toBe('S-E');
    expect(runs([mine(0), mine(1)])).toBe('SE');
  });

  it('a run ends where the sender changes, own or not', () => {
    expect(runs([other(0), other(0), mine(1), mine(1), other(2, THIRD), other(2)])).toBe('SESEBB');
  });

  it('a run ends after a pause longer than the window', () => {
    expect(runs([other(0), other(GROUP_WINDOW_MINUTES), other(GROUP_WINDOW_MINUTES * 2 + 1)])).toBe('SEB');
  });

  it('a run spans at most the window, so its one time is never far from any of its messages', () => {
    // Every message follows the one before within the window, but the run
    // would otherwise stretch over 12 minutes under one time.
    expect(runs([other(0), other(3), other(6), other(9), other(12)])).toBe('SESE' + 'B');
  });

  it('a run does not cross midnight', () => {
    const lateNight = new Date(2026, 4, 12, 23, 59).toISOString();
    const afterMidnight = new Date(2026, 4, 13, 0, 1).toISOString();
    const rows = timelineRows([makeItem({ userId: OTHER_USER, createdAt: lateNight }), makeItem({ userId: OTHER_USER, createdAt: afterMidnight })], NOON);
    expect(messages(rows).map((row) => [row.groupStart, row.groupEnd])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(rows.filter((row) => row.kind === 'day')).toHaveLength(2);
  });

  it('[C6] uses the time a message was written: an own message queued long before its neighbour arrived is not joined to it', () => {
    // Written at 12:00 offline, stored (and so listed) after a message of 12:20.
    expect(runs([mine(20), mine(0)])).toBe('BB');
  });
});

describe('timelineRows: days', () => {
  it('puts a separator before the first message of each day', () => {
    const yesterday = new Date(2026, 4, 11, 18, 0).toISOString();
    const rows = timelineRows([makeItem({ createdAt: yesterday }), other(0), other(1)], NOON);
    expect(rows.map((row) => (row.kind === 'day' ? row.label : 'msg'))).toEqual(['Yesterday', 'msg', 'Today', 'msg', 'msg']);
  });

  it('days only move forward: a message written yesterday but listed among today\'s brings back no "Yesterday" separator', () => {
    const yesterday = new Date(2026, 4, 11, 23, 58).toISOString();
    const rows = timelineRows([other(0), makeItem({ own: true, userId: OWN_USER, createdAt: yesterday }), other(1)], NOON);
    expect(rows.map((row) => (row.kind === 'day' ? row.label : 'msg'))).toEqual(['Today', 'msg', 'msg', 'msg']);
  });
});

describe('timelineRows: notices', () => {
  it('[M4] a membership notice is a row of its own, in log order, and ends the run before it', () => {
    const notice = makeNotice({ text: 'Ana added Ben', createdAt: at(1) });
    const rows = timelineRows([other(0), other(1), notice, other(2), other(3)], NOON);
    expect(rows.map((row) => row.kind)).toEqual(['day', 'message', 'message', 'notice', 'message', 'message']);
    expect(rows[3]).toEqual({ kind: 'notice', key: notice.key, notice });
    // The sender's run is cut in two: each side shows its name and its time again.
    expect(runs([other(0), other(1), notice, other(2), other(3)])).toBe('SESE');
  });

  it('[M4] a notice on a new day gets the day separator, like a message', () => {
    const yesterday = new Date(NOON.getTime() - 86_400_000).toISOString();
    const rows = timelineRows([makeItem({ createdAt: yesterday }), makeNotice({ createdAt: at(0) })], NOON);
    expect(rows.map((row) => (row.kind === 'day' ? row.label : row.kind))).toEqual(['Yesterday', 'message', 'Today', 'notice']);
  });
});
