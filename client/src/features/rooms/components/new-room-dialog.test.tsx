import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { User } from '@whisper/protocol';
import { describe, expect, it, vi } from 'vitest';
import { withResizeObserver } from './dialog-test-support';
import { NewRoomDialog, type NewRoomDialogProps } from './new-room-dialog';

const ANA: User = { id: '3fa9b2c4-71d0-4e8a-b6f3-2c5d9e0a1b44', display_name: 'Ana Park', color: 'teal' };
const ANDY: User = { id: '8d83c1e2-0b5f-4c6e-9a51-0f3c2d1e4b7a', display_name: 'Andy Moss', color: 'red' };
const BEN: User = { id: 'a0c1d2e3-0000-4000-8000-000000000003', display_name: 'Ben Stone', color: 'sky' };
const PEOPLE = [ANA, ANDY, BEN];

function setup(props: Partial<NewRoomDialogProps> = {}) {
  const search = vi.fn(async (query: string) => PEOPLE.filter((p) => p.display_name.toLowerCase().includes(query.toLowerCase())));
  const all: NewRoomDialogProps = { open: true, onClose: vi.fn(), search, onCreate: vi.fn(), onStartDm: vi.fn(), ...props };
  render(<NewRoomDialog {...all} />);
  return { props: all, search, user: userEvent.setup(), dialog: screen.getByRole('dialog', { name: 'New room' }) };
}

describe('NewRoomDialog', () => {
  withResizeObserver();

  it('[C9] is a dialog labelled "New room" that Esc closes', async () => {
    const { user, props, dialog } = setup();
    expect(dialog).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(props.onClose).toHaveBeenCalled();
  });

  it('[M1] creates a private group with a name and people picked by searching their names (chips, removable)', async () => {
    const { user, props, search } = setup();
    await user.type(screen.getByRole('textbox', { name: 'Group name' }), '  Trip  ');
    const people = screen.getByRole('combobox', { name: 'Add people' });
    await user.type(people, 'an');
    await user.click(await screen.findByRole('option', { name: 'Ana Park' }));
    expect(search).toHaveBeenCalledWith('an');
    await user.type(people, 'an');
    await user.click(await screen.findByRole('option', { name: 'Andy Moss' }));
    const chips = screen.getByRole('list', { name: 'Chosen people' });
    expect(within(chips).getAllByRole('listitem').map((chip) => chip.textContent)).toEqual(['APAna Park', 'AMAndy Moss']);
    await user.click(within(chips).getByRole('button', { name: 'Remove Andy Moss' }));
    expect(within(chips).getAllByRole('listitem')).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Create group' }));
    expect(props.onCreate).toHaveBeenCalledWith({ kind: 'group', name: 'Trip', userIds: [ANA.id] });
  });

  it('[M1] creates a public room with a name only; the button waits for a name', async () => {
    const { user, props } = setup();
    await user.click(screen.getByRole('radio', { name: 'Public room' }));
    expect(screen.queryByRole('combobox')).toBeNull();
    const create = screen.getByRole('button', { name: 'Create room' });
    expect(create).toBeDisabled();
    await user.type(screen.getByRole('textbox', { name: 'Room name' }), 'book-club{Enter}');
    expect(props.onCreate).toHaveBeenCalledWith({ kind: 'public', name: 'book-club', userIds: [] });
  });

  it('[M2] starts a DM with the one person picked', async () => {
    const { user, props } = setup();
    await user.click(screen.getByRole('radio', { name: 'Direct message' }));
    await user.type(screen.getByRole('combobox', { name: 'Person' }), 'ben');
    await user.click(await screen.findByRole('option', { name: 'Ben Stone' }));
    expect(props.onStartDm).toHaveBeenCalledWith(BEN.id);
  });

  it('says so when people cannot be searched (offline)', async () => {
    const { user } = setup({ search: vi.fn(async () => Promise.reject(new Error('offline'))) });
    await user.type(screen.getByRole('combobox', { name: 'Add people' }), 'ana');
    expect(await screen.findByText(/Can’t search for people right now/)).toBeInTheDocument();
  });

  it('says when no one has that name', async () => {
    const { user } = setup();
    await user.type(screen.getByRole('combobox', { name: 'Add people' }), 'zed');
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('No one found by that name.'));
  });
});
