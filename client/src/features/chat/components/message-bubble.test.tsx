import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DeliveryStatus } from '../../../shared/sync/timeline';
import { MessageBubble } from './message-bubble';
import { makeItem, OTHER_USER } from './test-items';

const noop = () => {};

function renderBubble(
  item = makeItem(),
  handlers: { onRetry?: (id: string) => void; onDelete?: (id: string) => void } = {},
  run: { groupStart?: boolean; groupEnd?: boolean } = {},
) {
  const { container } = render(
    <MessageBubble item={item} onRetry={handlers.onRetry ?? noop} onDelete={handlers.onDelete ?? noop} {...run} />,
  );
  return container.firstElementChild as HTMLElement;
}

describe('MessageBubble', () => {
  it.each<[DeliveryStatus, string]>([
    ['pending', 'Pending'],
    ['sending', 'Sending'],
    ['sent', 'Sent'],
    ['failed', 'Failed'],
  ])('[C9][C6] an own %s message carries data-status on its root and a "%s" mark', (status, label) => {
    const root = renderBubble(makeItem({ own: true, status, content: 'hi there' }));
    expect(root).toHaveAttribute('data-status', status);
    expect(root).toHaveTextContent('hi there');
    const mark = screen.getByRole('img', { name: label });
    expect(root).toContainElement(mark);
    // Exactly one status mark, and no other status's label.
    expect(screen.getAllByRole('img')).toHaveLength(1);
  });

  it('[C6] pending and sending show a clock, sent a tick, failed a warning (different icons)', () => {
    const shapes = (['pending', 'sending', 'sent', 'failed'] as const).map((status) => {
      const { container, unmount } = render(
        <MessageBubble item={makeItem({ own: true, status })} onRetry={noop} onDelete={noop} />,
      );
      const html = container.querySelector('[data-status-mark] svg')!.innerHTML;
      unmount();
      return html;
    });
    expect(shapes[0]).toBe(shapes[1]); // both clocks
    expect(new Set([shapes[0], shapes[2], shapes[3]]).size).toBe(3);
  });

  it("[C9] other people's messages have no data-status and no status mark", () => {
    const root = renderBubble(makeItem({ own: false, content: 'from someone else' }));
    expect(root).not.toHaveAttribute('data-status');
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText('from someone else')).toBeInTheDocument();
  });

  it('[C6] a failed message offers Retry and Delete that reuse its client_id', async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    const onDelete = vi.fn();
    const item = makeItem({ own: true, status: 'failed', clientId: '01HZY3CLIENTIDXYZ', error: 'Message is too long' });
    const root = renderBubble(item, { onRetry, onDelete });

    expect(within(root).getByText('Message is too long')).toBeInTheDocument();
    await user.click(within(root).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(onRetry).toHaveBeenCalledWith('01HZY3CLIENTIDXYZ');
    expect(onDelete).not.toHaveBeenCalled();

    await user.click(within(root).getByRole('button', { name: 'Delete' }));
    expect(onDelete).toHaveBeenCalledTimes(1);
    expect(onDelete).toHaveBeenCalledWith('01HZY3CLIENTIDXYZ');
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('[P1][C6] a message of an identity the server no longer knows can be deleted but not retried', () => {
    renderBubble(makeItem({ own: true, status: 'failed', error: 'The server no longer knows the identity that wrote it.', retryable: false }));
    expect(screen.getByRole('button', { name: 'Retry' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled();
  });

  it('[C6] a failed message without an error text still explains itself', () => {
    renderBubble(makeItem({ own: true, status: 'failed', error: null }));
    expect(screen.getByText('Not sent.')).toBeInTheDocument();
  });

  it.each(['pending', 'sending', 'sent'] as const)('[C6] a %s message offers no Retry or Delete', (status) => {
    renderBubble(makeItem({ own: true, status }));
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
  });

  it('[R3] markup in a message is shown as text and runs nothing', () => {
    const onerror = vi.fn();
    (window as unknown as { __pwned: () => void }).__pwned = onerror;
    const payload = '<img src=x onerror="window.__pwned()"><script>window.__pwned()</script><b>bold</b>';
    const root = renderBubble(makeItem({ content: payload }));

    expect(root.querySelector('img, script, b')).toBeNull();
    expect(screen.getByText(payload)).toBeInTheDocument();
    expect(root.textContent).toContain(payload);
    expect(onerror).not.toHaveBeenCalled();
  });

  it('[R3] line breaks are preserved and long words can wrap', () => {
    const content = 'first line\nsecond line\n\nhttps://example.com/' + 'a'.repeat(300);
    renderBubble(makeItem({ content }));
    const paragraph = screen.getByText((_, el) => el?.tagName === 'P' && el.textContent === content);
    expect(paragraph).toHaveClass('whitespace-pre-wrap');
    expect(paragraph).toHaveClass('wrap-anywhere');
  });

  it('[A5] shows other people by their display name, in their colour, with their initials: never the user id', () => {
    const { container } = render(
      <MessageBubble item={makeItem({ userId: OTHER_USER, senderName: 'Quiet Otter', senderColor: 'teal' })} onRetry={noop} onDelete={noop} />,
    );
    const name = screen.getByText('Quiet Otter');
    expect(name).not.toHaveClass('sr-only');
    expect(name.className).toMatch(/text-teal-700/);
    expect(container.querySelector('[aria-hidden="true"].bg-teal-700')).toHaveTextContent('QO');
    expect(container.textContent).not.toContain(OTHER_USER.slice(0, 8));
  });

  it('hides the name (visually) and the avatar on follow-up messages of a run', () => {
    const { container } = render(
      <MessageBubble item={makeItem({ userId: OTHER_USER, senderName: 'Quiet Otter' })} groupStart={false} onRetry={noop} onDelete={noop} />,
    );
    expect(screen.getByText('Quiet Otter')).toHaveClass('sr-only');
    expect(container.querySelector('.bg-teal-700')).toBeNull(); // no avatar
  });

  it('shows the time as HH:MM in <time dateTime>, and the full date as a tooltip on hover of the bubble', () => {
    const createdAt = new Date(2024, 2, 5, 9, 7).toISOString();
    const root = renderBubble(makeItem({ createdAt, content: 'hover me' }));
    const time = root.querySelector('time')!;
    expect(time).toHaveAttribute('dateTime', createdAt);
    expect(time.textContent).toMatch(/0?9[:.]07/);
    const bubble = screen.getByText('hover me').parentElement!;
    expect(bubble).not.toHaveAttribute('title');
    fireEvent.pointerEnter(bubble);
    expect(bubble.getAttribute('title')).toMatch(/2024/);
  });

  it('[C6] shows the time once per run: not on a bubble that a later one of the run follows, which still has its date on hover', () => {
    const createdAt = new Date(2024, 2, 5, 9, 7).toISOString();
    const root = renderBubble(makeItem({ createdAt, content: 'first of a run' }), {}, { groupEnd: false });
    expect(root.querySelector('time')).toBeNull();
    expect(root).not.toHaveTextContent(/0?9[:.]07/);
    const bubble = screen.getByText('first of a run').parentElement!;
    fireEvent.pointerEnter(bubble);
    expect(bubble.getAttribute('title')).toMatch(/2024/);
  });

  it.each(['pending', 'sending', 'sent'] as const)('[C6][C9] an own %s message inside a run keeps its status mark and data-status, without the time', (status) => {
    const root = renderBubble(makeItem({ own: true, status }), {}, { groupEnd: false });
    expect(root).toHaveAttribute('data-status', status);
    expect(within(root).getAllByRole('img')).toHaveLength(1);
    expect(root.querySelector('time')).toBeNull();
  });

  it('[C6] a failed message always shows when it was written, even inside a run', () => {
    const root = renderBubble(makeItem({ own: true, status: 'failed' }), {}, { groupEnd: false });
    expect(root.querySelector('time')).not.toBeNull();
  });
});
