import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoomListItem } from '../../shared/sync/room-list';
import { useUnreadBadge } from './use-unread-badge';

const item = (id: string, unread: number, muted?: boolean): RoomListItem => ({
  id,
  kind: 'group',
  name: id,
  otherUserId: null,
  lastMessage: null,
  unread,
  activityAt: new Date(0).toISOString(),
  state: 'synced',
  failure: null,
  muted,
});

function Badge({ rooms }: { rooms: RoomListItem[] }) {
  useUnreadBadge(rooms);
  return null;
}

afterEach(() => {
  cleanup();
  delete (navigator as unknown as Record<string, unknown>).setAppBadge;
});

describe('the unread badge', () => {
  it('[N1] leaves muted rooms out of the app badge and the title', () => {
    const setAppBadge = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'setAppBadge', { value: setAppBadge, configurable: true });
    render(<Badge rooms={[item('a', 2), item('b', 5, true), item('c', 1, false)]} />);
    expect(setAppBadge).toHaveBeenLastCalledWith(3);
    expect(document.title).toBe('(3) Whisper');
  });
});
