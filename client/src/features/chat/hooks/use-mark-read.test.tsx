import { act, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useMarkRead } from './use-mark-read';

function Reader({ entries, atBottom, markRead }: { entries: { seq: number | null }[]; atBottom: boolean; markRead: (roomId: string, seq: number) => Promise<void> }) {
  useMarkRead('general', entries, atBottom, markRead);
  return null;
}

afterEach(() => vi.restoreAllMocks());

describe('useMarkRead (L3)', () => {
  it('[L3] marks the newest stored entry only while the newest messages are in view and the page is visible', () => {
    const markRead = vi.fn(async () => undefined);
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('visible');
    const entries = [{ seq: 3 }, { seq: 4 }, { seq: null }];
    // Up in the history: nothing is read.
    const { rerender } = render(<Reader entries={entries} atBottom={false} markRead={markRead} />);
    expect(markRead).not.toHaveBeenCalled();
    // Back at the bottom: read up to the newest stored entry (the pending one has no seq).
    rerender(<Reader entries={entries} atBottom markRead={markRead} />);
    expect(markRead).toHaveBeenCalledWith('general', 4);

    // Hidden: what arrives is not read until the page shows it.
    visibility.mockReturnValue('hidden');
    rerender(<Reader entries={[...entries, { seq: 5 }]} atBottom markRead={markRead} />);
    expect(markRead).toHaveBeenCalledTimes(1);
    visibility.mockReturnValue('visible');
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    expect(markRead).toHaveBeenLastCalledWith('general', 5);
    expect(markRead).toHaveBeenCalledTimes(2);
  });
});
