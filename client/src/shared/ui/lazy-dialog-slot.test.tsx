import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { LazyDialogSlot } from './lazy-dialog-slot';
import { useLazyDialog } from './use-lazy-dialog';

function FakeDialog({ open }: { open: boolean; onClose: () => void }) {
  return open ? <div role="dialog" aria-label="Fake" /> : null;
}

function Opener({ load }: { load: () => Promise<typeof FakeDialog> }) {
  const dialog = useLazyDialog(load);
  return (
    <>
      <button type="button" onClick={dialog.show}>
        Open
      </button>
      <p>the rest of the app</p>
      <LazyDialogSlot dialog={dialog} props={{ open: dialog.open, onClose: dialog.hide }} />
    </>
  );
}

describe('LazyDialogSlot', () => {
  it('[C8] a dialog whose code cannot be fetched (offline) says so instead of taking the app down; opening again fetches again', async () => {
    const user = userEvent.setup();
    const quiet = [vi.spyOn(console, 'error').mockImplementation(() => undefined), vi.spyOn(console, 'warn').mockImplementation(() => undefined)];
    const load = vi.fn<() => Promise<typeof FakeDialog>>().mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module')).mockResolvedValue(FakeDialog);
    render(<Opener load={load} />);

    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('without a connection');
    expect(screen.getByText('the rest of the app')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(await screen.findByRole('dialog', { name: 'Fake' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(load).toHaveBeenCalledTimes(2);
    for (const spy of quiet) spy.mockRestore();
  });
});
