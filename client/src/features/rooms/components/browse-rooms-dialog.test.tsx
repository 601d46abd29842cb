import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Room } from '@whisper/protocol';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { describe, expect, it, vi } from 'vitest';
import { BrowseRoomsDialog, type BrowseRoomsDialogProps } from './browse-rooms-dialog';
import { withResizeObserver } from './dialog-test-support';

function publicRoom(id: string, name: string, memberCount: number, lastActivity: string): Room {
  return {
    id,
    name,
    kind: 'public',
    owner_id: null,
    members: [],
    member_count: memberCount,
    last_seq: 1,
    last_activity_at: lastActivity,
    last_message: null,
    created_at: lastActivity,
  };
}

const ROOMS = [
  publicRoom('general', 'general', 40, '2026-05-12T10:00:00.000Z'),
  publicRoom('books', 'book-club', 1, '2026-05-12T11:00:00.000Z'),
];

function setup(props: Partial<BrowseRoomsDialogProps> = {}) {
  const all: BrowseRoomsDialogProps = {
    open: true,
    onClose: vi.fn(),
    load: vi.fn(async () => ({ rooms: ROOMS, users: [] })),
    memberOf: new Set(['general']),
    onJoin: vi.fn(),
    onOpen: vi.fn(),
    ...props,
  };
  render(
    <Router hook={memoryLocation({ path: '/rooms/general' }).hook}>
      <BrowseRoomsDialog {...all} />
    </Router>,
  );
  return { props: all, user: userEvent.setup() };
}

describe('BrowseRoomsDialog', () => {
  withResizeObserver();

  it('[M1] lists the public rooms, most active first; Join for rooms you are not in, Open for yours', async () => {
    const { props, user } = setup();
    expect(screen.getByRole('dialog', { name: 'Browse public rooms' })).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'Public rooms' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((row) => row.textContent)).toEqual([expect.stringContaining('book-club'), expect.stringContaining('general')]);
    expect(rows[0]).toHaveTextContent('1 member');
    expect(rows[1]).toHaveTextContent('40 members');
    expect(within(rows[1]).getByRole('link', { name: 'Open general' })).toHaveAttribute('href', '/rooms/general');
    await user.click(within(rows[0]).getByRole('button', { name: 'Join book-club' }));
    expect(props.onJoin).toHaveBeenCalledWith('books');
  });

  it('filters by name as you type', async () => {
    const { user } = setup();
    await screen.findByRole('list', { name: 'Public rooms' });
    await user.type(screen.getByRole('searchbox', { name: 'Filter rooms by name' }), 'book');
    expect(within(screen.getByRole('list', { name: 'Public rooms' })).getAllByRole('listitem')).toHaveLength(1);
    await user.type(screen.getByRole('searchbox', { name: 'Filter rooms by name' }), 'zzz');
    expect(screen.getByRole('status')).toHaveTextContent('No public room has that name.');
  });

  it('[C8] offline it says it needs the server, and tries again on request', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue({ rooms: ROOMS, users: [] });
    const { user } = setup({ load });
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list', { name: 'Public rooms' })).toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
