import { render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Avatar, initials, personColour } from './avatar';

/** The engine's media loader (F6), as the avatar image asks it for a thumbnail. */
const media = vi.fn<(id: string, variant?: string) => Promise<Blob>>();
vi.mock('../sync/engine-context', () => ({ useOptionalEngine: () => ({ media }) }));

describe('Avatar', () => {
  it('[A5] draws the initials of the first two words of the display name', () => {
    expect(initials('Quiet Otter')).toBe('QO');
    expect(initials('  ana  ')).toBe('A');
    expect(initials('Ana Maria Park')).toBe('AM');
    expect(initials('Émile Zola')).toBe('ÉZ');
    expect(initials('')).toBe('?');
  });

  it('[A5] uses the person’s colour from the server’s palette, and a neutral one for an unknown colour', () => {
    const { container } = render(<Avatar name="Quiet Otter" color="violet" />);
    const avatar = container.firstElementChild!;
    expect(avatar).toHaveClass('bg-violet-700');
    expect(avatar).toHaveAttribute('aria-hidden', 'true');
    expect(personColour('chartreuse')).toEqual(personColour(undefined));
    expect(personColour('chartreuse').avatar).toBe('bg-slate-600');
  });
});

describe('Avatar with a profile picture', () => {
  let nextUrl = 0;
  beforeEach(() => {
    media.mockReset();
    URL.createObjectURL = vi.fn(() => `blob:avatar-${++nextUrl}`);
  });
  afterEach(() => {
    // jsdom has none: the component checks for it.
    delete (URL as { createObjectURL?: unknown }).createObjectURL;
  });

  it('[A5] shows the person’s picture (the thumbnail, over the initials) when they have one', async () => {
    media.mockResolvedValue(new Blob(['webp'], { type: 'image/webp' }));
    const { container } = render(<Avatar name="Ana Park" color="teal" avatar="01JD3W0000000000000000000A" />);
    // Initials while it loads.
    expect(container.firstElementChild).toHaveTextContent('AP');
    await waitFor(() => expect(container.querySelector('img')).not.toBeNull());
    expect(media).toHaveBeenCalledWith('01JD3W0000000000000000000A', 'thumb');
    const image = container.querySelector('img')!;
    expect(image.getAttribute('src')).toMatch(/^blob:avatar-/);
    expect(image).toHaveClass('object-cover', 'rounded-full');
    expect(image).toHaveAttribute('alt', '');
  });

  it('[A5] without a picture only the initials show, and nothing is fetched', async () => {
    const { container } = render(<Avatar name="Ben Low" color="red" avatar={null} />);
    // Give a lazy chunk the time it would take to arrive.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(container.querySelector('img')).toBeNull();
    expect(container.firstElementChild).toHaveTextContent('BL');
    expect(media).not.toHaveBeenCalled();
  });

  it('[A5] a picture that cannot be loaded (offline, not cached) leaves the initials', async () => {
    media.mockRejectedValue(new Error('media request failed: HTTP 503'));
    const { container } = render(<Avatar name="Cy Dee" color="sky" avatar="01JD3W0000000000000000000B" />);
    await waitFor(() => expect(media).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(container.querySelector('img')).toBeNull();
    expect(container.firstElementChild).toHaveTextContent('CD');
  });
});
