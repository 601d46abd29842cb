import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { rgbaToThumbHash } from 'thumbhash';
import type { AttachmentView } from '../../../shared/sync/timeline';
import { MessageBubble } from './message-bubble';
import { makeItem } from './test-items';

const noop = () => {};

function thumbhashOf(width: number, height: number): string {
  const rgba = new Uint8Array(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
  return btoa(String.fromCharCode(...rgbaToThumbHash(width, height, rgba)));
}

function view(overrides: Partial<AttachmentView> = {}): AttachmentView {
  return {
    key: 'media-1',
    kind: 'image',
    mime: 'image/jpeg',
    size: 1000,
    width: 400,
    height: 300,
    durationMs: null,
    thumbhash: null,
    waveform: null,
    mediaId: 'media-1',
    blob: null,
    uploaded: 1000,
    uploading: false,
    ...overrides,
  };
}

describe('attachments in the bubble', () => {
  it('[F6] a stored image keeps its aspect ratio and shows its ThumbHash until the image has loaded', async () => {
    const { container } = render(<MessageBubble item={makeItem({ content: '', attachments: [view({ thumbhash: thumbhashOf(8, 6) })] })} onRetry={noop} onDelete={noop} />);
    // The tiles are a lazy chunk.
    await waitFor(() => expect(container.querySelector('[data-attachment="image"]')).not.toBeNull());
    const tile = container.querySelector<HTMLElement>('[data-attachment="image"]')!;
    expect(tile.style.aspectRatio).toBe('400 / 300');
    // Decoded in a lazy chunk.
    await waitFor(() => expect(container.querySelector('[data-placeholder]')).not.toBeNull());
    expect(container.querySelector('[data-placeholder]')?.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(screen.getByRole('button', { name: 'Open image' })).toBeInTheDocument();
    // No caption: no empty text line.
    expect(tile.closest('[data-message]')).not.toHaveTextContent('message');
  });

  it('[F2] a pending upload shows its progress, and Cancel drops the message', async () => {
    const onDelete = vi.fn();
    const item = makeItem({ own: true, status: 'pending', content: 'look', attachments: [view({ key: 'f1', mediaId: null, uploaded: 500, uploading: true })] });
    render(<MessageBubble item={item} onRetry={noop} onDelete={onDelete} />);
    expect(await screen.findByRole('progressbar', { name: 'Uploading' })).toHaveAttribute('aria-valuenow', '50');
    expect(screen.getByText('look')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Cancel upload' }));
    expect(onDelete).toHaveBeenCalledWith(item.clientId);
  });

  it('[F2] a message already sent has no Cancel', async () => {
    const { container } = render(<MessageBubble item={makeItem({ own: true, status: 'sending', attachments: [view({ mediaId: null, uploading: false })] })} onRetry={noop} onDelete={noop} />);
    await waitFor(() => expect(container.querySelector('[data-attachment="image"]')).not.toBeNull());
    expect(screen.queryByRole('button', { name: 'Cancel upload' })).toBeNull();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
});
