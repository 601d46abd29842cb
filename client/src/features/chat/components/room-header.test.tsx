import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { RoomHeader } from './room-header';
import { roomSubtitle } from './room-subtitle';

describe('RoomHeader', () => {
  it('[M6] names the room in the page heading, with its kind, the connection and the actions given', async () => {
    const onBack = vi.fn();
    render(
      <RoomHeader
        name="Trip"
        kind="group"
        subtitle={{ kind: 'Private group', detail: '3 members' }}
        onBack={onBack}
        status={<span role="status">Online</span>}
        actions={<button type="button">Room details</button>}
      />,
    );
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(/^Trip$/);
    const subtitle = screen.getByText('3 members', { exact: false });
    expect(subtitle).toHaveTextContent('Private group · 3 members');
    // On a phone the kind is left to the picture (and screen readers): the count is what matters there.
    expect(screen.getByText('Private group ·', { exact: false })).toHaveClass('max-sm:sr-only');
    expect(screen.getByRole('status')).toHaveTextContent('Online');
    expect(screen.getByRole('button', { name: 'Room details' })).toBeInTheDocument();
    // Phones go back to the list; the button is hidden from md up, where the list is beside the room.
    const back = screen.getByRole('button', { name: 'Back to rooms' });
    expect(back).toHaveClass('md:hidden');
    await userEvent.setup().click(back);
    expect(onBack).toHaveBeenCalled();
  });

  it('a DM is its partner: their avatar (initials in their colour), no "#"', () => {
    const { container } = render(<RoomHeader name="Ana Park" kind="dm" color="red" subtitle={{ kind: 'Direct message', detail: null }} onBack={vi.fn()} status={null} />);
    expect(container.querySelector('.bg-red-700')).toHaveTextContent('AP');
  });
});

describe('roomSubtitle', () => {
  it('[M6] says what kind of room it is and how many are in it; a DM is just a direct message', () => {
    expect(roomSubtitle({ kind: 'group', memberCount: 3, state: 'synced' })).toEqual({ kind: 'Private group', detail: '3 members' });
    expect(roomSubtitle({ kind: 'public', memberCount: 1, state: 'synced' })).toEqual({ kind: 'Public room', detail: '1 member' });
    expect(roomSubtitle({ kind: 'dm', memberCount: 2, state: 'synced' })).toEqual({ kind: 'Direct message', detail: null });
    expect(roomSubtitle({ kind: 'group', memberCount: 1, state: 'pending' })).toEqual({ kind: 'Private group', detail: '1 member · waiting to sync' });
  });
});

describe('roomSubtitle with presence (L1)', () => {
  it('[L1] a DM says whether the other person is online or when they were last seen; other rooms ignore it', () => {
    expect(roomSubtitle({ kind: 'dm', memberCount: 2, state: 'synced' }, 'online')).toEqual({ kind: 'Direct message', detail: 'online' });
    expect(roomSubtitle({ kind: 'dm', memberCount: 2, state: 'synced' }, 'last seen yesterday')).toEqual({ kind: 'Direct message', detail: 'last seen yesterday' });
    expect(roomSubtitle({ kind: 'group', memberCount: 3, state: 'synced' }, 'online')).toEqual({ kind: 'Private group', detail: '3 members' });
  });

  it('[L1] the DM bar shows it in words', () => {
    render(<RoomHeader name="Ana Park" kind="dm" color="red" subtitle={roomSubtitle({ kind: 'dm', memberCount: 2, state: 'synced' }, 'online')} onBack={vi.fn()} status={null} />);
    expect(screen.getByText('online', { exact: false })).toHaveTextContent('Direct message · online');
  });
});
