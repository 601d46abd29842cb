import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TimelineItem } from '../../../shared/sync/timeline';
import { MessageList, type MessageListProps } from './message-list';
import { makeItem, OTHER_USER } from './test-items';

function renderList(props: Partial<MessageListProps> = {}) {
  const all: MessageListProps = {
    items: [],
    hasOlder: false,
    loadingOlder: false,
    onLoadOlder: vi.fn(),
    onRetry: vi.fn(),
    onDelete: vi.fn(),
    ...props,
  };
  const result = render(<MessageList {...all} />);
  return {
    ...result,
    props: all,
    log: screen.getByRole('log'),
    update: (next: Partial<MessageListProps>) => {
      Object.assign(all, next);
      result.rerender(<MessageList {...all} />);
    },
  };
}

function messageTexts(log: HTMLElement): string[] {
  return [...log.querySelectorAll('[data-message] p')].map((p) => p.textContent ?? '');
}

function many(count: number, from = 0): TimelineItem[] {
  return Array.from({ length: count }, (_, i) => makeItem({ content: `m${from + i}`, key: `k${from + i}` }));
}

describe('MessageList', () => {
  it('[C9] is a role=log named "Messages" that shows the items in order', () => {
    const items = [
      makeItem({ content: 'first' }),
      makeItem({ content: 'second', own: true, status: 'pending' }),
      makeItem({ content: 'third' }),
    ];
    const { log } = renderList({ items });
    expect(log).toHaveAccessibleName('Messages');
    expect(log).toHaveAttribute('aria-live', 'polite');
    expect(messageTexts(log)).toEqual(['first', 'second', 'third']);
    expect(log.querySelector('[data-status="pending"]')).toHaveTextContent('second');
  });

  it('shows an empty state for a room with no messages', () => {
    const { log, update } = renderList();
    expect(within(log).getByText('No messages yet. Say hello!')).toBeInTheDocument();
    update({ items: [makeItem({ content: 'hello' })] });
    expect(within(log).queryByText('No messages yet. Say hello!')).toBeNull();
  });

  it('[C6] passes Retry and Delete through with the client_id', async () => {
    const user = userEvent.setup();
    const item = makeItem({ own: true, status: 'failed', clientId: '01FAILEDCLIENT', error: 'Rejected' });
    const { props } = renderList({ items: [makeItem(), item] });
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(props.onRetry).toHaveBeenCalledWith('01FAILEDCLIENT');
    expect(props.onDelete).toHaveBeenCalledWith('01FAILEDCLIENT');
  });

  it('separates days with "Yesterday" and "Today"', () => {
    const now = new Date();
    const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 12, 0).toISOString();
    const { log } = renderList({
      items: [
        makeItem({ content: 'old', createdAt: yesterday }),
        makeItem({ content: 'new', createdAt: now.toISOString() }),
      ],
    });
    const separators = within(log).getAllByRole('separator');
    expect(separators.map((s) => s.getAttribute('aria-label'))).toEqual(['Yesterday', 'Today']);
    // Each separator comes right before its day's first message.
    expect(separators[0].compareDocumentPosition(within(log).getByText('old')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(log).getByText('old').compareDocumentPosition(separators[1]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('groups consecutive messages from one sender within a few minutes', () => {
    const t = new Date();
    t.setHours(12, 0, 0, 0);
    const at = (minutes: number) => new Date(t.getTime() + minutes * 60_000).toISOString();
    const { log } = renderList({
      items: [
        makeItem({ userId: OTHER_USER, createdAt: at(0) }),
        makeItem({ userId: OTHER_USER, createdAt: at(1) }),
        makeItem({ userId: OTHER_USER, createdAt: at(2) }),
        makeItem({ userId: OTHER_USER, createdAt: at(30) }), // a new run: too long after
      ],
    });
    const visibleHandles = within(log)
      .getAllByText('Guest 3fa9')
      .filter((el) => !el.classList.contains('sr-only'));
    expect(visibleHandles).toHaveLength(2);
  });

  describe('older history', () => {
    it('the "Load older messages" button calls onLoadOlder', async () => {
      const user = userEvent.setup();
      const { props } = renderList({ items: many(3), hasOlder: true });
      await user.click(screen.getByRole('button', { name: 'Load older messages' }));
      expect(props.onLoadOlder).toHaveBeenCalledTimes(1);
    });

    it('the button is disabled while loading and absent when there is nothing older', () => {
      const { update } = renderList({ items: many(3), hasOlder: true, loadingOlder: true });
      expect(screen.getByRole('button', { name: /Loading older messages/ })).toBeDisabled();
      update({ hasOlder: false, loadingOlder: false });
      expect(screen.queryByRole('button', { name: /older messages/ })).toBeNull();
      expect(screen.getByText('This is the beginning of the conversation.')).toBeInTheDocument();
    });

    describe('with IntersectionObserver', () => {
      let observers: { callback: IntersectionObserverCallback; options?: IntersectionObserverInit; disconnected: boolean }[];

      beforeEach(() => {
        observers = [];
        class FakeIntersectionObserver {
          record: (typeof observers)[number];
          constructor(callback: IntersectionObserverCallback, options?: IntersectionObserverInit) {
            this.record = { callback, options, disconnected: false };
            observers.push(this.record);
          }
          observe() {}
          unobserve() {}
          disconnect() {
            this.record.disconnected = true;
          }
          takeRecords() {
            return [];
          }
        }
        vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver);
      });
      afterEach(() => vi.unstubAllGlobals());

      const live = () => observers.filter((o) => !o.disconnected);
      const intersect = (isIntersecting: boolean) =>
        act(() => {
          for (const o of live()) {
            o.callback([{ isIntersecting } as IntersectionObserverEntry], {} as IntersectionObserver);
          }
        });

      it('calls onLoadOlder once when the top sentinel comes into view, and re-arms after loading', () => {
        const { props, log, update } = renderList({ items: many(5), hasOlder: true });
        expect(live()).toHaveLength(1);
        expect(live()[0].options?.root).toBe(log);

        intersect(false);
        expect(props.onLoadOlder).not.toHaveBeenCalled();
        intersect(true);
        intersect(true);
        expect(props.onLoadOlder).toHaveBeenCalledTimes(1);

        update({ loadingOlder: true });
        expect(live()).toHaveLength(0); // nothing asked while loading
        update({ loadingOlder: false, items: [...many(5, 100), ...props.items] });
        intersect(true);
        expect(props.onLoadOlder).toHaveBeenCalledTimes(2);

        update({ hasOlder: false });
        expect(live()).toHaveLength(0);
      });

      it('[C8] asks nothing by itself while autoLoadOlder is off (after a failed load), and re-arms when it is back on', async () => {
        const user = userEvent.setup();
        const { props, update } = renderList({ items: many(5), hasOlder: true, autoLoadOlder: false });
        expect(live()).toHaveLength(0);
        intersect(true);
        expect(props.onLoadOlder).not.toHaveBeenCalled();
        // The button still works.
        await user.click(screen.getByRole('button', { name: 'Load older messages' }));
        expect(props.onLoadOlder).toHaveBeenCalledTimes(1);

        update({ autoLoadOlder: true });
        expect(live()).toHaveLength(1);
        intersect(true);
        expect(props.onLoadOlder).toHaveBeenCalledTimes(2);
      });
    });

    it('works without IntersectionObserver (button only)', async () => {
      vi.stubGlobal('IntersectionObserver', undefined);
      try {
        const user = userEvent.setup();
        const { props } = renderList({ items: many(2), hasOlder: true });
        await user.click(screen.getByRole('button', { name: 'Load older messages' }));
        expect(props.onLoadOlder).toHaveBeenCalledTimes(1);
      } finally {
        vi.unstubAllGlobals();
      }
    });
  });

  describe('scrolling (with a fake layout: 50px per message, 300px viewport)', () => {
    const ROW = 50;
    const VIEWPORT = 300;
    const originalOffsetTop = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetTop')!;

    beforeEach(() => {
      const tops = new WeakMap<Element, number>();
      const isLog = (el: Element) => el.getAttribute('role') === 'log';
      Object.defineProperties(HTMLElement.prototype, {
        scrollHeight: {
          configurable: true,
          get(this: HTMLElement) {
            return isLog(this) ? this.querySelectorAll('[data-message]').length * ROW : 0;
          },
        },
        clientHeight: {
          configurable: true,
          get(this: HTMLElement) {
            return isLog(this) ? VIEWPORT : 0;
          },
        },
        scrollTop: {
          configurable: true,
          get(this: HTMLElement) {
            return tops.get(this) ?? 0;
          },
          set(this: HTMLElement, value: number) {
            const max = Math.max(0, this.scrollHeight - this.clientHeight);
            tops.set(this, Math.min(Math.max(0, value), max));
          },
        },
        offsetTop: {
          configurable: true,
          get(this: HTMLElement) {
            const log = this.closest('[role="log"]');
            if (!log || !this.hasAttribute('data-message')) return 0;
            return [...log.querySelectorAll('[data-message]')].indexOf(this) * ROW;
          },
        },
      });
    });

    afterEach(() => {
      const proto = HTMLElement.prototype as unknown as Record<string, unknown>;
      delete proto.scrollHeight;
      delete proto.clientHeight;
      delete proto.scrollTop;
      Object.defineProperty(HTMLElement.prototype, 'offsetTop', originalOffsetTop);
    });

    /** Scroll as the user would. */
    function scrollTo(log: HTMLElement, top: number) {
      log.scrollTop = top;
      fireEvent.scroll(log);
    }

    it('opens at the bottom and sticks there when new messages arrive', () => {
      const { log, update, props } = renderList({ items: many(20) });
      expect(log.scrollTop).toBe(20 * ROW - VIEWPORT);
      update({ items: [...props.items, makeItem({ content: 'fresh' })] });
      expect(log.scrollTop).toBe(21 * ROW - VIEWPORT);
      expect(screen.queryByRole('button', { name: /New messages/ })).toBeNull();
    });

    it('does not yank a reader down; shows a "New messages" pill that scrolls down', async () => {
      const user = userEvent.setup();
      const { log, update, props } = renderList({ items: many(20) });
      scrollTo(log, 100);
      update({ items: [...props.items, makeItem({ content: 'fresh' })] });
      expect(log.scrollTop).toBe(100);

      await user.click(screen.getByRole('button', { name: 'New messages' }));
      expect(log.scrollTop).toBe(21 * ROW - VIEWPORT);
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();
    });

    it('the pill goes away when the reader scrolls to the bottom themselves', () => {
      const { log, update, props } = renderList({ items: many(20) });
      scrollTo(log, 0);
      update({ items: [...props.items, makeItem()] });
      expect(screen.getByRole('button', { name: 'New messages' })).toBeInTheDocument();
      scrollTo(log, 21 * ROW - VIEWPORT - 10);
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();
    });

    it('takes the user to the bottom when they send, even while reading older messages', () => {
      const { log, update, props } = renderList({ items: many(20) });
      scrollTo(log, 0);
      update({ items: [...props.items, makeItem({ own: true, status: 'pending', content: 'mine' })] });
      expect(log.scrollTop).toBe(21 * ROW - VIEWPORT);
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();
    });

    it('keeps the visible messages in place when older ones are prepended', () => {
      const { log, update, props } = renderList({ items: many(20, 100), hasOlder: true });
      scrollTo(log, 120); // reading m102..m107
      update({ items: [...many(10, 0), ...props.items] });
      expect(messageTexts(log)[0]).toBe('m0');
      expect(log.scrollTop).toBe(120 + 10 * ROW); // the same messages are still in view
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();
    });
  });
});
