import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountApiError } from '../../shared/sync/account-api';
import { ProfilePhoto } from './profile-photo';

const setAvatar = vi.fn<(upload: ((origin: string, token: string) => Promise<string>) | null) => Promise<{ avatar: string | null }>>();
const engine = { account: { setAvatar }, media: vi.fn(async () => new Blob(['webp'])) };
vi.mock('../../shared/sync/engine-context', () => ({ useEngine: () => engine, useOptionalEngine: () => engine }));

const profile = { id: '3f1e2a9c-0b7d-4c1e-8f3a-5d6b7c8e9f01', display_name: 'Ana Park', color: 'teal', avatar: null };
const photo = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], 'me.jpg', { type: 'image/jpeg' });

describe('ProfilePhoto', () => {
  beforeEach(() => setAvatar.mockReset());

  it('[A5] Change photo previews the picked image; Save uploads and sets it', async () => {
    setAvatar.mockResolvedValue({ avatar: '01JD3W0000000000000000000A' });
    const user = userEvent.setup();
    render(<ProfilePhoto profile={profile} online />);
    expect(screen.queryByRole('button', { name: 'Remove photo' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Change photo' })).toBeEnabled();
    const file = photo();
    await user.upload(screen.getByLabelText('Choose a photo'), file);
    const save = screen.getByRole('button', { name: 'Save photo' });
    await user.click(save);
    expect(setAvatar).toHaveBeenCalledWith(expect.any(Function));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Change photo' })).toBeInTheDocument());
  });

  it('[A5] offline: the picked photo waits in the preview, Save is disabled and says why (it needs a connection, as the name does)', async () => {
    const user = userEvent.setup();
    render(<ProfilePhoto profile={{ ...profile, avatar: '01JD3W0000000000000000000A' }} online={false} />);
    expect(screen.getByText(/You’re offline\. .*needs a connection/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove photo' })).toBeDisabled();
    await user.upload(screen.getByLabelText('Choose a photo'), photo());
    expect(screen.getByRole('button', { name: 'Save photo' })).toBeDisabled();
    expect(setAvatar).not.toHaveBeenCalled();
  });

  it('[A5] Remove photo sets none; a refusal is shown and the picture stays', async () => {
    setAvatar.mockRejectedValueOnce(new AccountApiError(0, 'unreachable', 'Failed to fetch'));
    const user = userEvent.setup();
    render(<ProfilePhoto profile={{ ...profile, avatar: '01JD3W0000000000000000000A' }} online />);
    await user.click(screen.getByRole('button', { name: 'Remove photo' }));
    expect(setAvatar).toHaveBeenCalledWith(null);
    expect(await screen.findByRole('alert')).toHaveTextContent('Can’t reach the server. Your photo was not changed');

    setAvatar.mockRejectedValueOnce(new AccountApiError(415, 'unsupported_media', 'not an image'));
    await user.upload(screen.getByLabelText('Choose a photo'), photo());
    await user.click(screen.getByRole('button', { name: 'Save photo' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Choose a JPEG, PNG, WebP or GIF');
    // Still there to try again.
    expect(screen.getByRole('button', { name: 'Save photo' })).toBeEnabled();
  });
});
