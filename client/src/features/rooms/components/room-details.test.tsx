import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { withResizeObserver } from './dialog-test-support';
import { RoomDetailsPanel, type RoomDetailsPanelProps, type RoomDetailsRoom } from './room-details';

const ME = { id: 'me', displayName: 'Quiet Otter', color: 'teal', isOwner: true, isMe: true };
const ANA = { id: 'ana', displayName: 'Ana Park', color: 'red', isOwner: false, isMe: false };
const BEN = { id: 'ben', displayName: 'Ben Stone', color: 'sky', isOwner: false, isMe: false };

const OWNED_GROUP: RoomDetailsRoom = {
  id: 'trip',
  kind: 'group',
  name: 'Trip',
  roomName: 'Trip',
  everyone: false,
  members: [ME, ANA, BEN],
  memberCount: 3,
  state: 'synced',
  canRename: true,
  canDelete: true,
  canAddPeople: true,
  canLeave: true,
  canRemoveOthers: true,
};

/** Someone who may change nothing (general for everyone, any DM). */
const NO_RIGHTS = { canRename: false, canDelete: false, canAddPeople: false, canLeave: false, canRemoveOthers: false };

function setup(room: RoomDetailsRoom = OWNED_GROUP, props: Partial<RoomDetailsPanelProps> = {}) {
  const all: RoomDetailsPanelProps = {
    open: true,
    onClose: vi.fn(),
    room,
    search: vi.fn(async () => [{ id: 'cleo', display_name: 'Cleo Wu', color: 'pink' }]),
    onRename: vi.fn(),
    onAddPeople: vi.fn(),
    onRemove: vi.fn(),
    onLeave: vi.fn(),
    onDelete: vi.fn(),
    onMute: vi.fn(),
    ...props,
  };
  render(<RoomDetailsPanel {...all} />);
  // The one dialog open: the panel, titled by the room's kind.
  return { props: all, user: userEvent.setup(), panel: screen.getByRole('dialog') };
}

describe('RoomDetailsPanel', () => {
  withResizeObserver();

  it('[M1] lists the members with their names, the owner marked and you as "(you)"', () => {
    const { panel } = setup();
    expect(panel).toHaveAccessibleName('Group info');
    const items = within(panel).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringMatching(/Quiet Otter \(you\)Owner/),
      expect.stringMatching(/Ana Park/),
      expect.stringMatching(/Ben Stone/),
    ]);
    expect(within(panel).getByText('3 members')).toBeInTheDocument();
  });

  it('[C9][M1] the owner deletes the group only after confirming in a dialog whose button is named "Delete"', async () => {
    const { user, props, panel } = setup();
    await user.click(within(panel).getByRole('button', { name: 'Delete group' }));
    const confirm = screen.getByRole('dialog', { name: 'Delete “Trip”?' });
    expect(props.onDelete).not.toHaveBeenCalled();
    // Focus starts on Cancel: an Enter out of habit destroys nothing.
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    expect(props.onDelete).toHaveBeenCalledTimes(1);
  });

  it('[M1] the owner renames the group; Esc in the field cancels the edit, not the panel', async () => {
    const { user, props, panel } = setup();
    await user.click(within(panel).getByRole('button', { name: 'Rename group' }));
    const field = within(panel).getByRole('textbox', { name: 'Group name' });
    expect(field).toHaveValue('Trip');
    await user.keyboard('{Escape}');
    expect(props.onClose).not.toHaveBeenCalled();
    expect(within(panel).queryByRole('textbox', { name: 'Group name' })).toBeNull();
    await user.click(within(panel).getByRole('button', { name: 'Rename group' }));
    await user.clear(within(panel).getByRole('textbox', { name: 'Group name' }));
    await user.type(within(panel).getByRole('textbox', { name: 'Group name' }), 'Trip 2{Enter}');
    expect(props.onRename).toHaveBeenCalledWith('Trip 2');
  });

  it('[M1] the owner removes someone after confirming', async () => {
    const { user, props, panel } = setup();
    await user.click(within(panel).getByRole('button', { name: 'Remove Ana Park' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Remove Ana Park?' })).getByRole('button', { name: 'Remove' }));
    expect(props.onRemove).toHaveBeenCalledWith('ana');
  });

  it('[M1] any member adds people, found by name, leaving out those already in', async () => {
    const search = vi.fn(async () => [
      { id: 'ana', display_name: 'Ana Park', color: 'red' },
      { id: 'cleo', display_name: 'Cleo Wu', color: 'pink' },
    ]);
    const member = { ...OWNED_GROUP, canRename: false, canDelete: false, canRemoveOthers: false, members: [{ ...ME, isOwner: false }, { ...ANA, isOwner: true }] };
    const { user, props, panel } = setup(member, { search });
    expect(within(panel).queryByRole('button', { name: /Rename|Delete|Remove/ })).toBeNull();
    await user.click(within(panel).getByRole('button', { name: 'Add people' }));
    await user.type(within(panel).getByRole('combobox', { name: 'Add people' }), 'a');
    expect(await within(panel).findByRole('option', { name: 'Cleo Wu' })).toBeInTheDocument();
    expect(within(panel).queryByRole('option', { name: 'Ana Park' })).toBeNull();
    await user.click(within(panel).getByRole('option', { name: 'Cleo Wu' }));
    await user.click(within(panel).getByRole('button', { name: 'Add 1 person' }));
    expect(props.onAddPeople).toHaveBeenCalledWith(['cleo']);
  });

  it('[N1] a Mute switch for every room, DMs too, that says whether it is muted and asks for the other state', async () => {
    const { props, user, panel } = setup({ ...OWNED_GROUP, muted: false });
    const mute = within(panel).getByRole('switch', { name: 'Mute notifications' });
    expect(mute).toHaveAttribute('aria-checked', 'false');
    await user.click(mute);
    expect(props.onMute).toHaveBeenCalledWith(true);
  });

  it('[N1] a muted room offers to unmute', async () => {
    const { props, user, panel } = setup({ ...OWNED_GROUP, kind: 'dm', muted: true, ...NO_RIGHTS });
    const mute = within(panel).getByRole('switch', { name: 'Mute notifications' });
    expect(mute).toHaveAttribute('aria-checked', 'true');
    await user.click(mute);
    expect(props.onMute).toHaveBeenCalledWith(false);
  });

  it('[M4] leaving asks first, then leaves', async () => {
    const { user, props, panel } = setup();
    await user.click(within(panel).getByRole('button', { name: 'Leave group' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Leave “Trip”?' })).getByRole('button', { name: 'Leave' }));
    expect(props.onLeave).toHaveBeenCalledTimes(1);
  });

  it('[M1] general has everyone: no member list to manage, no leaving', () => {
    const general: RoomDetailsRoom = {
      ...OWNED_GROUP,
      id: 'general',
      kind: 'public',
      name: 'general',
      roomName: 'general',
      everyone: true,
      members: [],
      memberCount: 120,
      ...NO_RIGHTS,
    };
    const { panel } = setup(general);
    expect(panel).toHaveAccessibleName('Room info');
    expect(within(panel).getByText('Everyone who uses Whisper is in general.')).toBeInTheDocument();
    expect(within(panel).queryAllByRole('button').map((b) => b.getAttribute('aria-label') ?? b.textContent)).toEqual(['Close']);
  });

  it('[M1] a DM shows only the other person', () => {
    const dm: RoomDetailsRoom = {
      ...OWNED_GROUP,
      id: 'dm-x',
      kind: 'dm',
      name: 'Ana Park',
      roomName: '',
      members: [{ ...ME, isOwner: false }, ANA],
      memberCount: 2,
      ...NO_RIGHTS,
    };
    const { panel } = setup(dm);
    expect(panel).toHaveAccessibleName('Contact info');
    expect(within(panel).getByText('Ana Park')).toBeInTheDocument();
    expect(within(panel).getByText('Direct message')).toBeInTheDocument();
    expect(within(panel).queryByText('Quiet Otter')).toBeNull();
    expect(within(panel).queryAllByRole('button')).toHaveLength(1); // Close
  });
});

describe('RoomDetailsPanel presence (L1)', () => {
  withResizeObserver();

  it('[L1] members online come first, each with a dot and the word "online" for screen readers', () => {
    const { panel } = setup(OWNED_GROUP, { online: new Set([BEN.id]) });
    const items = within(panel).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringMatching(/online.*Ben Stone/),
      expect.stringMatching(/Quiet Otter \(you\)/),
      expect.stringMatching(/Ana Park/),
    ]);
    expect(items[0].querySelector('[data-presence="online"]')).toHaveClass('bg-success');
    expect(items[1].querySelector('[data-presence]')).toBeNull();
  });
});
