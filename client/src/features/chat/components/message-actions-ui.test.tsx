import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { vi } from 'vitest';
import { EditingKeyContext, MessageActionsContext, type MessageActions } from '../actions/message-actions-context';
import { MessageBubble } from './message-bubble';
import { makeItem } from './test-items';

const noop = () => {};

function fakeActions(overrides: Partial<MessageActions> = {}): MessageActions {
  return {
    canEdit: (item) => item.own,
    canDelete: (item) => item.own,
    preloadMenu: noop,
    reply: vi.fn(),
    startEdit: vi.fn(),
    saveEdit: vi.fn(),
    cancelEdit: vi.fn(),
    remove: vi.fn(),
    react: vi.fn(),
    pickEmoji: vi.fn(),
    copy: vi.fn(),
    jumpTo: vi.fn(),
    retry: vi.fn(),
    discard: vi.fn(),
    ...overrides,
  };
}

function renderWith(actions: MessageActions, item = makeItem()) {
  return render(
    <MessageActionsContext.Provider value={actions}>
      <MessageBubble item={item} onRetry={noop} onDelete={noop} />
    </MessageActionsContext.Provider>,
  );
}

describe('message actions in the bubble (C9, X1–X4)', () => {
  it('[X3][C9] reaction chips show counts, are pressed when they include you, name the people, and toggle yours', async () => {
    const actions = fakeActions();
    const item = makeItem({
      reactions: [
        { emoji: '👍', count: 2, mine: true, names: ['You', 'Ana Park'], pending: false },
        { emoji: '😂', count: 1, mine: false, names: ['Ben'], pending: true },
      ],
    });
    renderWith(actions, item);
    const mine = screen.getByRole('button', { name: /^👍 2: You, Ana Park/ });
    expect(mine).toHaveAttribute('aria-pressed', 'true');
    expect(mine).toHaveAttribute('title', 'You, Ana Park');
    const theirs = screen.getByRole('button', { name: /^😂 1: Ben/ });
    expect(theirs).toHaveAttribute('aria-pressed', 'false');
    expect(theirs).toHaveAttribute('data-pending');
    await userEvent.click(mine);
    expect(actions.react).toHaveBeenCalledWith(item, '👍', false);
    await userEvent.click(theirs);
    expect(actions.react).toHaveBeenCalledWith(item, '😂', true);
  });

  it('[X1] a reply shows its quote with the author and excerpt; tapping it jumps to the original', async () => {
    const actions = fakeActions();
    const quote = { id: '01J0SERVER999999', clientId: null, seq: 3, senderName: 'Ana Park', excerpt: 'the plan for Friday', deleted: false };
    renderWith(actions, makeItem({ content: 'sounds good', replyTo: quote }));
    await userEvent.click(screen.getByRole('button', { name: 'Reply to Ana Park: the plan for Friday. Show the message' }));
    expect(actions.jumpTo).toHaveBeenCalledWith(quote);
  });

  it('[X2][E4] an edited message says so; a deleted one is a quiet line with no actions, reactions or quote', () => {
    const { unmount } = renderWith(fakeActions(), makeItem({ content: 'fixed typo', editedAt: '2026-12-07T10:00:00.000Z' }));
    expect(screen.getByText('edited')).toBeInTheDocument();
    unmount();
    renderWith(
      fakeActions(),
      makeItem({ content: '', deleted: true, reactions: [{ emoji: '👍', count: 1, mine: false, names: ['Ben'], pending: false }] }),
    );
    expect(screen.getByText('Message deleted')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Message actions' })).toBeNull();
    expect(screen.queryByRole('button', { name: /👍/ })).toBeNull();
  });

  it('[X4] a pending edit and delete look pending; a refused action says why, with Retry and Discard', async () => {
    const actions = fakeActions();
    const { unmount } = renderWith(actions, makeItem({ own: true, content: 'new words', pendingAction: 'edit' }));
    expect(screen.getByText('saving…')).toBeInTheDocument();
    unmount();
    renderWith(actions, makeItem({ own: true, content: '', deleted: true, pendingAction: 'delete' }));
    expect(screen.getByText('Deleting…')).toBeInTheDocument();
    const item = makeItem({ actionFailures: [{ clientId: 'op-1', label: 'Reaction 🙏', reason: 'This message no longer exists.' }] });
    renderWith(actions, item);
    const failure = screen.getByText(/Reaction 🙏 not done:/).closest('li')!;
    expect(failure).toHaveTextContent('This message no longer exists.');
    await userEvent.click(within(failure).getByRole('button', { name: 'Retry' }));
    expect(actions.retry).toHaveBeenCalledWith('op-1');
    await userEvent.click(within(failure).getByRole('button', { name: 'Discard' }));
    expect(actions.discard).toHaveBeenCalledWith('op-1');
  });

  it('[X2][C9] editing in place: Esc cancels, Enter saves the new text, an empty text cannot be saved', async () => {
    const saveEdit = vi.fn();
    const cancelEdit = vi.fn();
    const item = makeItem({ own: true, content: 'helo' });
    const actions = fakeActions({ saveEdit, cancelEdit });
    render(
      <MessageActionsContext.Provider value={actions}>
        <EditingKeyContext.Provider value={item.key}>
          <MessageBubble item={item} onRetry={noop} onDelete={noop} />
        </EditingKeyContext.Provider>
      </MessageActionsContext.Provider>,
    );
    const box = screen.getByRole('textbox', { name: 'Edit message' });
    expect(box).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(cancelEdit).toHaveBeenCalledTimes(1);
    await userEvent.clear(box);
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    await userEvent.type(box, 'hello{Enter}');
    expect(saveEdit).toHaveBeenCalledWith(item, 'hello');
  });

  it('[R3][C9] links become links (http, https, mailto) opened safely; other schemes stay text', async () => {
    renderWith(fakeActions(), makeItem({ content: 'see https://example.com/a and javascript:alert(1) or mail me@example.org' }));
    const link = await screen.findByRole('link', { name: 'https://example.com/a' });
    expect(link).toHaveAttribute('href', 'https://example.com/a');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    expect(link).toHaveAttribute('target', '_blank');
    await waitFor(() => expect(screen.getByRole('link', { name: 'me@example.org' })).toHaveAttribute('href', 'mailto:me@example.org'));
    expect(screen.getAllByRole('link')).toHaveLength(2);
  });
});
