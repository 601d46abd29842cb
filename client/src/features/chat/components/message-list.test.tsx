import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TimelineItem } from '../../../shared/sync/timeline';
import { MessageList, type MessageListProps } from './message-list';
import { makeItem, makeNotice, OTHER_USER } from './test-items';

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

  it('[M4] shows membership notices in place among the messages, centred and apart from them', () => {
    const { log } = renderList({
      items: [makeItem({ content: 'hi' }), makeNotice({ text: 'Ana added Ben and Cleo' }), makeNotice({ text: 'You left', pending: true, seq: null })],
    });
    const notices = [...log.querySelectorAll<HTMLElement>('[data-notice]')];
    expect(notices.map((n) => n.textContent)).toEqual(['Ana added Ben and Cleo', 'Not confirmed yet: You left']);
    // Not messages: the C9 handles and the message count stay with the bubbles.
    expect(messageTexts(log)).toEqual(['hi']);
    expect(notices[0]).toHaveClass('items-center');
    expect(notices[1]).toHaveAttribute('data-pending', 'true');
    expect(notices[0]).not.toHaveAttribute('data-pending');
  });

  it('[C6][M4] a change of yours the server refused shows why, with Retry and Delete under its client_id', async () => {
    const user = userEvent.setup();
    const notice = makeNotice({ text: 'You renamed the group to “Trip 2”', pending: false, seq: null, failure: { clientId: '01OPFAILED', reason: 'Only the owner can rename it' } });
    const { log, props } = renderList({ items: [makeItem({ content: 'hi' }), notice] });
    const row = log.querySelector<HTMLElement>('[data-notice][data-failed]')!;
    expect(row).toHaveTextContent('Not done: You renamed the group to “Trip 2”');
    expect(row).toHaveTextContent('Only the owner can rename it');
    await user.click(within(row).getByRole('button', { name: 'Retry' }));
    expect(props.onRetry).toHaveBeenCalledWith('01OPFAILED');
    await user.click(within(row).getByRole('button', { name: 'Delete' }));
    expect(props.onDelete).toHaveBeenCalledWith('01OPFAILED');
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
      .getAllByText('Ana Park')
      .filter((el) => !el.classList.contains('sr-only'));
    expect(visibleHandles).toHaveLength(2);
  });

  it('[C6] shows the time once per run, on its last bubble', () => {
    const t = new Date();
    t.setHours(12, 0, 0, 0);
    const at = (minutes: number) => new Date(t.getTime() + minutes * 60_000).toISOString();
    const { log } = renderList({
      items: [
        makeItem({ userId: OTHER_USER, createdAt: at(0), content: 'a' }),
        makeItem({ userId: OTHER_USER, createdAt: at(1), content: 'b' }),
        makeItem({ userId: OTHER_USER, createdAt: at(2), content: 'c' }),
        makeItem({ own: true, status: 'sent', createdAt: at(3), content: 'd' }),
        makeItem({ own: true, status: 'pending', createdAt: at(3), content: 'e' }),
      ],
    });
    const times = [...log.querySelectorAll('[data-message]')].map((message) => message.querySelector('time')?.getAttribute('dateTime') ?? null);
    expect(times).toEqual([null, null, at(2), null, at(3)]);
    // Every own message keeps its status mark (C6).
    expect(within(log).getAllByRole('img').map((mark) => mark.getAttribute('aria-label'))).toEqual(['Sent', 'Pending']);
  });

  it('plays the entrance transition only for messages that just arrived, not for history or rows scrolled to', () => {
    const { log, update, props } = renderList({ items: many(3) });
    const rowOf = (text: string) => within(log).getByText(text).closest('[data-index]')!;
    const animates = (text: string) => !rowOf(text).className.includes('transition-none');
    expect(['m0', 'm1', 'm2'].map(animates)).toEqual([false, false, false]);
    update({ items: [...props.items, makeItem({ content: 'just now' })] });
    expect(animates('just now')).toBe(true);
    expect(animates('m2')).toBe(false);
    // Older history is not an arrival either.
    update({ items: [makeItem({ content: 'older' }), ...props.items] });
    expect(animates('older')).toBe(false);
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
    // jsdom has no layout. This fake gives the log what a browser would for
    // the virtualized list: a 300px viewport over content as tall as the
    // virtualizer's sizer, message rows 50px tall and day separators 30px
    // (not the estimates, so measuring matters), the header taking no room, and
    // rows placed where the virtualizer's transform puts them. As in a
    // browser, a programmatic scroll fires its scroll event later, and a
    // ResizeObserver reports the size of what it observes, also later.
    const ROW = 50;
    const DAY = 30;
    const VIEWPORT = 300;
    const patched = ['scrollHeight', 'clientHeight', 'scrollTop', 'offsetTop', 'offsetHeight', 'scrollTo'] as const;
    const originals = new Map(patched.map((name) => [name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name)]));

    const isLog = (el: Element) => el.getAttribute('role') === 'log';
    /** The virtualizer's sizer: the one element with an inline height. */
    const sizerOf = (log: Element) => log.querySelector<HTMLElement>('div[style*="height"]');
    const translateY = (el: HTMLElement) => Number(/translateY\((-?[\d.]+)px\)/.exec(el.style.transform)?.[1] ?? 0);

    class FakeResizeObserver {
      constructor(private readonly callback: ResizeObserverCallback) {}
      observe(target: HTMLElement) {
        queueMicrotask(() => {
          if (!target.isConnected) return;
          const size = { blockSize: target.offsetHeight, inlineSize: 0 };
          this.callback([{ target, borderBoxSize: [size], contentBoxSize: [size] } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
        });
      }
      unobserve() {}
      disconnect() {}
    }

    beforeEach(() => {
      vi.stubGlobal('ResizeObserver', FakeResizeObserver);
      const tops = new WeakMap<Element, number>();
      Object.defineProperties(HTMLElement.prototype, {
        scrollHeight: {
          configurable: true,
          get(this: HTMLElement) {
            if (!isLog(this)) return 0;
            return Math.max(VIEWPORT, Number.parseFloat(sizerOf(this)?.style.height ?? '0') || 0);
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
        scrollTo: {
          configurable: true,
          value(this: HTMLElement, options: ScrollToOptions) {
            const before = this.scrollTop;
            if (typeof options.top === 'number') this.scrollTop = options.top;
            if (this.scrollTop !== before) queueMicrotask(() => this.dispatchEvent(new Event('scroll')));
          },
        },
        offsetHeight: {
          configurable: true,
          get(this: HTMLElement) {
            if (!this.hasAttribute('data-index')) return 0;
            return this.querySelector('[data-message]') ? ROW : DAY;
          },
        },
        offsetTop: {
          configurable: true,
          get(this: HTMLElement) {
            if (!this.hasAttribute('data-message')) return 0;
            const row = this.closest<HTMLElement>('[data-index]');
            return row ? translateY(row) : 0;
          },
        },
      });
    });

    afterEach(() => {
      vi.unstubAllGlobals();
      for (const [name, descriptor] of originals) {
        if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
        else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
      }
    });

    /** Let the pending scroll events, size reports and animation frames run. */
    async function settle() {
      for (let i = 0; i < 4; i++) {
        await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
      }
    }

    async function renderSettled(props: Partial<MessageListProps>) {
      const result = renderList(props);
      await settle();
      return { ...result, update: async (next: Partial<MessageListProps>) => {
        act(() => result.update(next));
        await settle();
      } };
    }

    /** Scroll as the user would. */
    async function scrollTo(log: HTMLElement, top: number) {
      act(() => {
        log.scrollTop = top;
        fireEvent.scroll(log);
      });
      await settle();
    }

    const maxScroll = (log: HTMLElement) => log.scrollHeight - log.clientHeight;

    /** The messages at least partly inside the viewport, top to bottom. */
    function inView(log: HTMLElement): string[] {
      return [...log.querySelectorAll<HTMLElement>('[data-message]')]
        .filter((el) => {
          const top = el.offsetTop - log.scrollTop;
          return top + ROW > 0 && top < VIEWPORT;
        })
        .map((el) => el.querySelector('p')?.textContent ?? '');
    }

    function messageEl(log: HTMLElement, text: string): HTMLElement {
      const el = [...log.querySelectorAll<HTMLElement>('[data-message]')].find((m) => m.querySelector('p')?.textContent === text);
      if (!el) throw new Error(`${text} is not rendered`);
      return el;
    }

    it('opens at the bottom and sticks there when new messages arrive', async () => {
      const { log, update, props } = await renderSettled({ items: many(20) });
      expect(maxScroll(log)).toBeGreaterThan(0);
      expect(log.scrollTop).toBe(maxScroll(log));
      expect(inView(log).at(-1)).toBe('m19');
      await update({ items: [...props.items, makeItem({ content: 'fresh' })] });
      expect(log.scrollTop).toBe(maxScroll(log));
      expect(inView(log).at(-1)).toBe('fresh');
      expect(screen.queryByRole('button', { name: /New messages/ })).toBeNull();
    });

    it('opens at the bottom when the first messages arrive in an empty room (history over the network)', async () => {
      const { log, update } = await renderSettled({ items: [] });
      expect(within(log).getByText('No messages yet. Say hello!')).toBeInTheDocument();
      await update({ items: many(20), hasOlder: true });
      expect(log.scrollTop).toBe(maxScroll(log));
      expect(inView(log).at(-1)).toBe('m19');
      expect(screen.queryByRole('button', { name: /New messages/ })).toBeNull();
    });

    it('does not yank a reader down; shows a "New messages" pill that scrolls down', async () => {
      const user = userEvent.setup();
      const { log, update, props } = await renderSettled({ items: many(20) });
      await scrollTo(log, 100);
      // Where the reader settled (rows measured above them may have moved it a little).
      const readingAt = log.scrollTop;
      const reading = inView(log);
      await update({ items: [...props.items, makeItem({ content: 'fresh' })] });
      expect(log.scrollTop).toBe(readingAt);
      expect(inView(log)).toEqual(reading);

      await user.click(screen.getByRole('button', { name: 'New messages' }));
      await settle();
      expect(log.scrollTop).toBe(maxScroll(log));
      expect(inView(log).at(-1)).toBe('fresh');
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();
    });

    it('[C9] a message arriving while the reader is up in the history is still added to the log (its live region announces it)', async () => {
      const { log, update, props } = await renderSettled({ items: many(200) });
      await scrollTo(log, 0);
      expect(inView(log)[0]).toBe('m0');
      await update({ items: [...props.items, makeItem({ content: 'breaking news' })] });
      expect(within(log).getByText('breaking news')).toBeInTheDocument();
      expect(inView(log)).not.toContain('breaking news');
      // Only the newest: the rest of the bottom is not rendered up here.
      expect(within(log).queryByText('m199')).toBeNull();
    });

    it('the pill goes away when the reader scrolls to the bottom themselves', async () => {
      const { log, update, props } = await renderSettled({ items: many(20) });
      await scrollTo(log, 0);
      await update({ items: [...props.items, makeItem()] });
      expect(screen.getByRole('button', { name: 'New messages' })).toBeInTheDocument();
      await scrollTo(log, maxScroll(log) - 10);
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();
    });

    it('takes the user to the bottom when they send, even while reading older messages', async () => {
      const { log, update, props } = await renderSettled({ items: many(20) });
      await scrollTo(log, 0);
      await update({ items: [...props.items, makeItem({ own: true, status: 'pending', content: 'mine' })] });
      expect(log.scrollTop).toBe(maxScroll(log));
      expect(inView(log).at(-1)).toBe('mine');
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();
    });

    it('keeps the visible messages in place when older ones are prepended', async () => {
      const { log, update, props } = await renderSettled({ items: many(20, 100), hasOlder: true });
      await scrollTo(log, 120);
      const reading = inView(log);
      expect(reading[0]).toMatch(/^m10\d$/);
      const anchor = reading[0];
      const anchorOnScreen = messageEl(log, anchor).offsetTop - log.scrollTop;
      const scrollBefore = log.scrollTop;

      await update({ items: [...many(10, 0), ...props.items] });
      // The same messages are still in view, the first exactly where it was;
      // the scroll position moved down by what was added above.
      expect(inView(log)).toEqual(reading);
      expect(messageEl(log, anchor).offsetTop - log.scrollTop).toBe(anchorOnScreen);
      expect(log.scrollTop).toBeGreaterThanOrEqual(scrollBefore + 10 * ROW);
      expect(screen.queryByRole('button', { name: 'New messages' })).toBeNull();

      // The older messages are above them.
      await scrollTo(log, 0);
      expect(messageTexts(log)[0]).toBe('m0');
    });

    it('keeps the first message in place when older ones arrive while the reader is at the very top', async () => {
      const { log, update, props } = await renderSettled({ items: many(20, 100), hasOlder: true });
      await scrollTo(log, 0);
      expect(inView(log)[0]).toBe('m100');
      const reading = inView(log);
      const onScreen = messageEl(log, 'm100').offsetTop - log.scrollTop;

      await update({ items: [...many(10, 0), ...props.items] });
      expect(inView(log)).toEqual(reading);
      expect(messageEl(log, 'm100').offsetTop - log.scrollTop).toBe(onScreen);
      expect(log.scrollTop).toBeGreaterThanOrEqual(10 * ROW);
    });

    it('measures rows: once every row has been seen, the content is exactly as tall as the rows', async () => {
      const now = new Date();
      const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 12, 0).toISOString();
      const items = [...many(10).map((item) => ({ ...item, createdAt: yesterday })), ...many(10, 10)];
      const { log } = await renderSettled({ items });
      for (let top = 0; top < 21 * 64; top += 100) await scrollTo(log, top);
      await scrollTo(log, maxScroll(log));
      // 20 messages and the "Today" separator between the two days (the
      // first day's separator heads the list, outside the rows).
      expect(log.scrollHeight).toBe(20 * ROW + DAY);
      expect(log.scrollTop).toBe(20 * ROW + DAY - VIEWPORT);
      expect(inView(log).at(-1)).toBe('m19');
    });

    it('keeps the DOM small: 10,000 messages render only the rows near the viewport', async () => {
      const { log } = await renderSettled({ items: many(10_000) });
      const renderedAtBottom = log.querySelectorAll('[data-message]').length;
      expect(renderedAtBottom).toBeGreaterThanOrEqual(VIEWPORT / ROW);
      expect(renderedAtBottom).toBeLessThanOrEqual(40);
      expect(inView(log).at(-1)).toBe('m9999');

      await scrollTo(log, 0);
      expect(messageTexts(log)[0]).toBe('m0');
      expect(inView(log)[0]).toBe('m0');
      expect(log.querySelectorAll('[data-message]').length).toBeLessThanOrEqual(40);
    });
  });
});
