import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SearchButton } from './search-button';
import { SearchHost } from './search-host';

// The dialog's chunk (it needs the engine): a stand-in that shows what it was opened with.
vi.mock('./search-dialog.container', () => ({
  SearchDialogContainer: ({ open, scopeRoomId }: { open: boolean; scopeRoomId: string | null }) =>
    open ? <div role="dialog" aria-label="Search messages" data-scope={scopeRoomId ?? 'all'} /> : null,
}));

const hitPath = (roomId: string, seq: number) => `/rooms/${roomId}/${seq}`;

describe('opening search', () => {
  it('[Q3] Ctrl+K opens the search dialog on every room, from anywhere on the page', async () => {
    render(<SearchHost hitPath={hitPath} />);
    expect(screen.queryByRole('dialog')).toBeNull();
    await userEvent.keyboard('{Control>}k{/Control}');
    expect(await screen.findByRole('dialog', { name: 'Search messages' })).toHaveAttribute('data-scope', 'all');
  });

  it('[Q3] ⌘K opens it too; K alone does not', async () => {
    render(<SearchHost hitPath={hitPath} />);
    await userEvent.keyboard('k');
    expect(screen.queryByRole('dialog')).toBeNull();
    await userEvent.keyboard('{Meta>}k{/Meta}');
    expect(await screen.findByRole('dialog')).toBeInTheDocument();
  });

  it('[Q3] a room bar\'s button opens it scoped to that room; the sidebar\'s on every room', async () => {
    render(
      <>
        <SearchButton roomId="team" />
        <SearchHost hitPath={hitPath} />
      </>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Search in this room' }));
    expect(await screen.findByRole('dialog')).toHaveAttribute('data-scope', 'team');
  });
});
