import { describe, expect, it, vi } from 'vitest';
import { createPresenceBoard, presenceText } from './presence';

const ANA = 'ana';
const BEN = 'ben';

describe('presence board (L1)', () => {
  it('[L1] keeps the latest status per person, the same object until it changes, and tells its listeners only of changes', () => {
    const board = createPresenceBoard();
    const listener = vi.fn();
    board.subscribe(listener);
    board.hear([
      { user_id: ANA, status: 'online', last_seen: null },
      { user_id: BEN, status: 'offline', last_seen: '2026-03-14T14:05:00.000Z' },
    ]);
    expect(listener).toHaveBeenCalledTimes(1);
    const ana = board.get(ANA);
    expect(ana).toEqual({ status: 'online', lastSeen: null });
    expect(board.get(BEN)).toEqual({ status: 'offline', lastSeen: '2026-03-14T14:05:00.000Z' });
    // The same again (a snapshot after a reconnect): nothing changes.
    board.hear([{ user_id: ANA, status: 'online', last_seen: null }]);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(board.get(ANA)).toBe(ana);
    board.hear([{ user_id: ANA, status: 'offline', last_seen: '2026-03-14T15:00:00.000Z' }]);
    expect(listener).toHaveBeenCalledTimes(2);
    expect(board.get(ANA)).toEqual({ status: 'offline', lastSeen: '2026-03-14T15:00:00.000Z' });
    expect(board.get('nobody')).toBeUndefined();
  });

  it('[L1] an offline entry without a time keeps the last-seen time known', () => {
    const board = createPresenceBoard();
    board.hear([{ user_id: ANA, status: 'offline', last_seen: '2026-03-14T14:05:00.000Z' }]);
    board.hear([{ user_id: ANA, status: 'online', last_seen: null }]);
    board.hear([{ user_id: ANA, status: 'offline', last_seen: null }]);
    expect(board.get(ANA)).toEqual({ status: 'offline', lastSeen: null });
    const other = createPresenceBoard();
    other.hear([{ user_id: BEN, status: 'offline', last_seen: '2026-03-14T14:05:00.000Z' }]);
    other.hear([{ user_id: BEN, status: 'offline', last_seen: null }]);
    expect(other.get(BEN)).toEqual({ status: 'offline', lastSeen: '2026-03-14T14:05:00.000Z' });
  });

  it('[L1] when the link is lost, nobody is online any more, but last-seen times stay', () => {
    const board = createPresenceBoard();
    const listener = vi.fn();
    board.hear([
      { user_id: ANA, status: 'online', last_seen: null },
      { user_id: BEN, status: 'offline', last_seen: '2026-03-14T14:05:00.000Z' },
    ]);
    const unsubscribe = board.subscribe(listener);
    board.forgetOnline();
    expect(board.get(ANA)).toBeUndefined();
    expect(board.get(BEN)).toEqual({ status: 'offline', lastSeen: '2026-03-14T14:05:00.000Z' });
    expect(listener).toHaveBeenCalledTimes(1);
    board.forgetOnline();
    expect(listener).toHaveBeenCalledTimes(1);
    board.clear();
    expect(board.get(BEN)).toBeUndefined();
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    board.hear([{ user_id: ANA, status: 'online', last_seen: null }]);
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe('presenceText (L1)', () => {
  const now = new Date(2026, 2, 14, 18, 0);
  const at = (day: number, hour: number, minute: number) => new Date(2026, 2, day, hour, minute).toISOString();

  it('[L1] "online", "last seen" with the time today, "yesterday", the weekday this week, else the date', () => {
    expect(presenceText({ status: 'online', lastSeen: null }, now)).toBe('online');
    expect(presenceText({ status: 'offline', lastSeen: at(14, 14, 5) }, now)).toMatch(/^last seen (14:05|2:05\s?PM)$/);
    expect(presenceText({ status: 'offline', lastSeen: at(13, 23, 0) }, now)).toBe('last seen yesterday');
    expect(presenceText({ status: 'offline', lastSeen: at(10, 9, 0) }, now)).toMatch(/^last seen \S+$/);
    expect(presenceText({ status: 'offline', lastSeen: at(1, 9, 0) }, now)).toMatch(/^last seen .*\d/);
  });

  it('[L1] nothing when nothing is known', () => {
    expect(presenceText(undefined, now)).toBeNull();
    expect(presenceText({ status: 'offline', lastSeen: null }, now)).toBeNull();
  });
});
