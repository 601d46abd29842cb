import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConnectionIndicator, waitingText, type IndicatorStatus } from './connection-indicator';

function status(overrides: Partial<IndicatorStatus> = {}): IndicatorStatus {
  return { phase: 'online', waiting: 0, retryInMs: null, ...overrides };
}

describe('ConnectionIndicator', () => {
  it.each([
    ['online', 'Online'],
    ['connecting', 'Connecting…'],
    ['offline', 'Offline'],
    ['unreachable', 'Can’t reach the server'],
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

    it('when the server is unreachable with a retry scheduled, counts down to it', () => {
      render(<ConnectionIndicator status={status({ phase: 'unreachable', waiting: 2, retryInMs: 5000 })} />);
      const region = screen.getByRole('status');
      expect(region).toHaveTextContent('Can’t reach the server · 2 messages waiting · retrying in 5 s');
      act(() => vi.advanceTimersByTime(2000));
      expect(region).toHaveTextContent('retrying in 3 s');
      act(() => vi.advanceTimersByTime(3000));
      expect(region).not.toHaveTextContent('retrying');
    });

    it('shows no countdown while online, connecting or offline', () => {
      const { rerender } = render(<ConnectionIndicator status={status({ phase: 'connecting', retryInMs: 5000 })} />);
      expect(screen.getByRole('status')).not.toHaveTextContent('retrying');
      rerender(<ConnectionIndicator status={status({ phase: 'online', retryInMs: 5000 })} />);
      expect(screen.getByRole('status')).not.toHaveTextContent('retrying');
      rerender(<ConnectionIndicator status={status({ phase: 'offline', retryInMs: 5000 })} />);
      expect(screen.getByRole('status')).not.toHaveTextContent('retrying');
    });
  });

  describe('Retry now', () => {
    it('[C3] is offered while the server is unreachable, and reconnects when pressed', async () => {
      const user = userEvent.setup();
      const onRetryNow = vi.fn();
      render(<ConnectionIndicator status={status({ phase: 'unreachable', retryInMs: 20_000 })} onRetryNow={onRetryNow} />);
      await user.click(screen.getByRole('button', { name: 'Retry now' }));
      expect(onRetryNow).toHaveBeenCalledTimes(1);
    });

    it('[C3] is not offered when the browser is offline (nothing to retry), nor while online or connecting', () => {
      const onRetryNow = vi.fn();
      const { rerender } = render(<ConnectionIndicator status={status({ phase: 'offline' })} onRetryNow={onRetryNow} />);
      expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
      rerender(<ConnectionIndicator status={status({ phase: 'online' })} onRetryNow={onRetryNow} />);
      expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
      rerender(<ConnectionIndicator status={status({ phase: 'connecting' })} onRetryNow={onRetryNow} />);
      expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
    });

    it('stays in place, focused but inert, while the retry it started is connecting', async () => {
      const user = userEvent.setup();
      const onRetryNow = vi.fn();
      const { rerender } = render(<ConnectionIndicator status={status({ phase: 'unreachable' })} onRetryNow={onRetryNow} />);
      await user.click(screen.getByRole('button', { name: 'Retry now' }));
      rerender(<ConnectionIndicator status={status({ phase: 'connecting' })} retrying onRetryNow={onRetryNow} />);
      const button = screen.getByRole('button', { name: 'Retry now' });
      expect(button).toHaveFocus();
      expect(button).toHaveAttribute('aria-disabled', 'true');
      await user.click(button);
      expect(onRetryNow).toHaveBeenCalledTimes(1);
    });
  });
});
