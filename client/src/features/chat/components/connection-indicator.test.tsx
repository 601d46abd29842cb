import { act, render, screen } from '@testing-library/react';
import type { ConnectionStatus } from '../../../shared/sync/timeline';
import { ConnectionIndicator, waitingText } from './connection-indicator';

function status(overrides: Partial<ConnectionStatus> = {}): ConnectionStatus {
  return { phase: 'online', waiting: 0, retryInMs: null, ...overrides };
}

describe('ConnectionIndicator', () => {
  it.each([
    ['online', 'Online'],
    ['connecting', 'Connecting…'],
    ['offline', 'Offline'],
  ] as const)('shows %s as "%s" in a role=status region', (phase, label) => {
    render(<ConnectionIndicator status={status({ phase })} />);
    const region = screen.getByRole('status');
    expect(region).toHaveTextContent(new RegExp(`^${label}$`));
    expect(region).toHaveAttribute('data-phase', phase);
  });

  it('says how many messages are waiting, singular and plural', () => {
    const { rerender } = render(<ConnectionIndicator status={status({ phase: 'offline', waiting: 1 })} />);
    expect(screen.getByRole('status')).toHaveTextContent('Offline · 1 message waiting');
    rerender(<ConnectionIndicator status={status({ phase: 'offline', waiting: 3 })} />);
    expect(screen.getByRole('status')).toHaveTextContent('Offline · 3 messages waiting');
    rerender(<ConnectionIndicator status={status({ phase: 'online', waiting: 0 })} />);
    expect(screen.getByRole('status')).not.toHaveTextContent(/waiting/);
  });

  it('waitingText pluralises', () => {
    expect(waitingText(1)).toBe('1 message waiting');
    expect(waitingText(2)).toBe('2 messages waiting');
    expect(waitingText(12)).toBe('12 messages waiting');
  });

  describe('retry countdown', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('when offline with a retry scheduled, counts down to it', () => {
      render(<ConnectionIndicator status={status({ phase: 'offline', waiting: 2, retryInMs: 5000 })} />);
      const region = screen.getByRole('status');
      expect(region).toHaveTextContent('Offline · 2 messages waiting · retrying in 5 s');
      act(() => vi.advanceTimersByTime(2000));
      expect(region).toHaveTextContent('retrying in 3 s');
      act(() => vi.advanceTimersByTime(3000));
      expect(region).not.toHaveTextContent('retrying');
    });

    it('shows no countdown while online or connecting', () => {
      const { rerender } = render(<ConnectionIndicator status={status({ phase: 'connecting', retryInMs: 5000 })} />);
      expect(screen.getByRole('status')).not.toHaveTextContent('retrying');
      rerender(<ConnectionIndicator status={status({ phase: 'online', retryInMs: 5000 })} />);
      expect(screen.getByRole('status')).not.toHaveTextContent('retrying');
    });
  });
});
