import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { describe, expect, it, vi } from 'vitest';
import { previewText, RoomList, type RoomListEntry, type RoomListProps } from './room-list';

const NOON = new Date(2026, 4, 12, 12, 0);

function room(overrides: Partial<RoomListEntry> = {}): RoomListEntry {
  return {
    id: 'general',
    kind: 'public',
    name: 'general',
    lastMessage: null,
    unread: 0,
    activityAt: new Date(2026, 4, 12, 11, 30).toISOString(),
    state: 'synced',
    failure: null,
    ...overrides,
  };
}

function renderList(props: Partial<RoomListProps> = {}, path = '/rooms/general') {
  const { hook } = memoryLocation({ path });
  const all: RoomListProps = { rooms: [], activeRoomId: null, onRetry: vi.fn(), onDelete: vi.fn(), now: NOON, ...props };
  render(
    <Router hook={hook}>
      <RoomList {...all} />
    </Router>,
  );
  return { props: all, nav: screen.getByRole('navigation', { name: 'Rooms' }) };
}

const ROOMS: RoomListEntry[] = [
  room({ id: 'trip', kind: 'group', name: 'Trip', unread: 3, lastMessage: { text: 'See you at 8', senderName: 'Ana Park', at: NOON.toISOString() } }),
  room({ id: 'dm-ab', kind: 'dm', name: 'Ben Stone', lastMessage: { text: 'ok!', senderName: null, at: NOON.toISOString() } }),
  room({ id: 'general', name: 'general', lastMessage: { text: 'hello all', senderName: 'Cleo Wu', at: NOON.toISOString() } }),
];

describe('RoomList', () => {
  it('[C9][M6] is a navigation named "Rooms" whose links are named exactly after the rooms, in the given (activity) order', () => {
    const { nav } = renderList({ rooms: ROOMS, activeRoomId: 'general' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.getAttribute('href'))).toEqual(['/rooms/trip', '/rooms/dm-ab', '/rooms/general']);
    // The unread count and the preview are in the row, but not in the link's name.
    expect(links[0]).toHaveAccessibleName('Trip');
    expect(links[1]).toHaveAccessibleName('Ben Stone');
    expect(links[2]).toHaveAccessibleName('general');
    expect(within(nav).getByRole('link', { name: 'general' })).toHaveAttribute('aria-current', 'page');
    expect(links[0]).not.toHaveAttribute('aria-current');
  });

  it('[M6] describes each link with its unread count and last message ("You: …" / "Ana: …")', () => {
    const { nav } = renderList({ rooms: ROOMS });
    const trip = within(nav).getByRole('link', { name: 'Trip' });
    expect(trip).toHaveAccessibleDescription('3 unread messages. Ana Park: See you at 8');
    expect(trip).toHaveTextContent('3'); // the badge
    expect(within(nav).getByRole('link', { name: 'Ben Stone' })).toHaveAccessibleDescription('You: ok!');
    expect(within(nav).getByRole('link', { name: 'general' })).toHaveAccessibleDescription('Cleo Wu: hello all');
  });

  it('[N1] a muted room shows a struck bell and its unread count in grey, and says it is muted', () => {
    const { nav } = renderList({ rooms: [room({ id: 'trip', name: 'Trip', unread: 2, muted: true }), room({ unread: 1 })] });
    const trip = within(nav).getByRole('link', { name: 'Trip' });
    expect(trip).toHaveAccessibleDescription('2 unread messages. Muted. No messages yet');
    expect(trip.querySelectorAll('svg[aria-hidden="true"]').length).toBe(2); // the room's icon and the bell
    expect(within(trip).getByText('2')).toHaveClass('bg-ink-muted');
    const general = within(nav).getByRole('link', { name: 'general' });
    expect(general.querySelectorAll('svg[aria-hidden="true"]').length).toBe(1);
    expect(within(general).getByText('1')).toHaveClass('bg-accent');
  });

  it('[M6] shows the time of the last activity, and caps the badge at 99+', () => {
    const { nav } = renderList({ rooms: [room({ unread: 250, lastMessage: { text: 'x', senderName: 'Ana', at: NOON.toISOString() } })] });
    const link = within(nav).getByRole('link', { name: 'general' });
    expect(link.querySelector('time')?.textContent).toMatch(/11[:.]30/);
    expect(link).toHaveTextContent('99+');
    expect(link).toHaveAccessibleDescription('250 unread messages. Ana: x');
  });

  it('in a DM the other person’s messages need no name; an empty room says so', () => {
    expect(previewText({ kind: 'dm', state: 'synced', lastMessage: { text: 'hey', senderName: 'Ben', at: '' } })).toBe('hey');
    expect(previewText({ kind: 'group', state: 'synced', lastMessage: { text: 'hey', senderName: 'Ben', at: '' } })).toBe('Ben: hey');
    expect(previewText({ kind: 'group', state: 'synced', lastMessage: null })).toBe('No messages yet');
  });

  it('[C1] a room created offline looks pending and says so', () => {
    const { nav } = renderList({ rooms: [room({ id: 'new', kind: 'group', name: 'Book club', state: 'pending' })] });
    const link = within(nav).getByRole('link', { name: 'Book club' });
    expect(link.closest('li')).toHaveAttribute('data-state', 'pending');
    expect(link).toHaveAccessibleDescription('Not confirmed by the server yet. Waiting to sync');
  });

  it('[C6] a room whose creation was refused shows the reason, with Retry and Delete under the same client_id', async () => {
    const user = userEvent.setup();
    const failed = room({ id: 'x', kind: 'group', name: 'Trip', state: 'failed', failure: { clientId: '01FAILED', reason: 'That room id is taken' } });
    const { nav, props } = renderList({ rooms: [failed] });
    expect(within(nav).getByText('That room id is taken')).toBeInTheDocument();
    // Still a link named after the room; the buttons sit outside it.
    const link = within(nav).getByRole('link', { name: 'Trip' });
    const retry = within(nav).getByRole('button', { name: 'Retry creating Trip' });
    expect(link).not.toContainElement(retry);
    await user.click(retry);
    expect(props.onRetry).toHaveBeenCalledWith('01FAILED');
    await user.click(within(nav).getByRole('button', { name: 'Delete Trip' }));
    expect(props.onDelete).toHaveBeenCalledWith('01FAILED');
  });

  it('says when it is loading and when there are no rooms', () => {
    renderList({ rooms: undefined });
    expect(screen.getByText('Loading rooms…')).toBeInTheDocument();
  });

  it('draws the icon the caller gives (a DM partner’s avatar)', () => {
    renderList({ rooms: [ROOMS[1]], renderIcon: (r) => <span data-testid="icon">{r.name}</span> });
    expect(screen.getByTestId('icon')).toHaveTextContent('Ben Stone');
  });
});
