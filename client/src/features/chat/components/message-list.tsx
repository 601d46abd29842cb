import { defaultRangeExtractor, measureElement, observeElementRect, useVirtualizer, type Range, type Rect, type Virtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { TOAST_CLEARANCE_PROPERTY } from '../overlay-space';
import { ArrowDownIcon, ChatBubblesIcon } from './icons';
import { MessageBubble } from './message-bubble';
import { NoticeRow } from './notice-row';
import type { TimelineEntry, TimelineItem } from '../../../shared/sync/timeline';
import { timelineRows, type TimelineRow } from './timeline-rows';

export interface MessageListProps {
  /** Oldest first, as the timeline gives them: messages and membership notices (M4). */
  items: readonly TimelineEntry[];
  /** More history exists before `items[0]` (P5 `has_more`, or not yet fetched). */
  hasOlder: boolean;
  /** A page of older history is on its way; the list asks for no more meanwhile. */
  loadingOlder: boolean;
  /** Fetch the page before `items[0]`. Called once per chance; the list re-arms when `items[0]` or `loadingOlder` changes. */
  onLoadOlder: () => void;
  /**
   * Ask for older pages by itself when the top comes into view (default
   * true). The page turns this off for a while after a failed load, so a
   * reader resting at the top does not retry in a tight loop; the button
   * always works.
   */
  autoLoadOlder?: boolean;
  onRetry: (clientId: string) => void;
  onDelete: (clientId: string) => void;
  /** X1: a message to bring into view and flash (a new object for each request, e.g. a tapped quote). */
  focus?: { key: string } | null;
  /** L3: whether the newest messages are in view, each time that changes (read markers move only then). */
  onAtBottomChange?: (atBottom: boolean) => void;
  /** L3: the room's unread messages, counted on the jump-to-latest button while the reader is up in the history. */
  unread?: number;
  /** L3: where the reader had read up to when the room opened: a "New messages" divider goes before the first message from someone else after it. */
  unreadAfterSeq?: number | null;
}

/** The jump-to-latest button counts up to this, then says "99+". */
const MAX_PILL_COUNT = 99;

/** How long a message jumped to stays highlighted. */
const FOCUS_HIGHLIGHT_MS = 1600;

/** Within this many pixels of the bottom counts as "at the bottom". */
const NEAR_BOTTOM_PX = 80;
/** Start fetching older history this far before the top is reached. */
const PRELOAD_MARGIN_PX = 300;

/**
 * Virtualization: only the rows near the viewport are in the DOM, so a room
 * with 10,000 loaded messages costs about what one with 30 does. Rows are
 * measured once rendered (heights vary with the text); until then these
 * guesses stand in (a one-line bubble, a day separator, a notice line).
 */
const ESTIMATED_MESSAGE_PX = 64;
const ESTIMATED_DAY_PX = 44;
const ESTIMATED_NOTICE_PX = 32;
/** How long a new row's entrance transition may run (the bubble's is 300 ms). */
const ENTRANCE_MS = 1000;
/** Rows rendered beyond each edge of the viewport, so a quick flick shows no gaps. */
const OVERSCAN_ROWS = 5;

interface Snapshot {
  firstKey: string | null;
  lastKey: string | null;
  count: number;
}

function prefersReducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * The log's size as the virtualizer sees it. Before the first layout (or in
 * an environment without one) the element reports 0, which would render no
 * rows at all: assume a window's height instead.
 */
function observeLogRect(instance: RowVirtualizer, cb: (rect: Rect) => void) {
  return observeElementRect(instance, (rect) =>
    cb(rect.height > 0 ? rect : { width: rect.width, height: typeof window === 'undefined' ? 0 : window.innerHeight }),
  );
}

/**
 * The message stream (C9: `role="log"`). Sticks to the bottom while the user
 * is there, never yanks them down while they read older messages (a "New
 * messages" pill appears instead), loads older pages near the top and keeps
 * the visible messages still when those are prepended.
 *
 * Virtualized with @tanstack/react-virtual: rows are absolutely positioned in
 * a sizer as tall as the whole list; only those near the viewport are mounted.
 * The header (load-older button or the start of the conversation, then the
 * first day's separator) sits above the sizer and is always mounted, so its
 * IntersectionObserver sentinel works wherever the reader is.
 */
export const MessageList = memo(function MessageList({
  items,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  autoLoadOlder = true,
  onRetry,
  onDelete,
  focus = null,
  onAtBottomChange,
  unread = 0,
  unreadAfterSeq = null,
}: MessageListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const sizerRef = useRef<HTMLDivElement>(null);
  const columnRef = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  const snapshotRef = useRef<Snapshot | null>(null);
  const onLoadOlderRef = useRef(onLoadOlder);
  const [showNewPill, setShowNewPill] = useState(false);
  /** Mirrors atBottomRef for what renders from it (the jump button), and tells the page (L3). */
  const [atBottom, setAtBottomState] = useState(true);
  const onAtBottomChangeRef = useRef(onAtBottomChange);
  const setAtBottom = useCallback((value: boolean) => {
    atBottomRef.current = value;
    setAtBottomState((was) => {
      if (was !== value) onAtBottomChangeRef.current?.(value);
      return value;
    });
  }, []);
  /** Where the sizer starts in the log's content (padding, header, the spacer of a short list). */
  const [scrollMargin, setScrollMargin] = useState(0);

  useEffect(() => {
    onLoadOlderRef.current = onLoadOlder;
    onAtBottomChangeRef.current = onAtBottomChange;
  });

  // Day labels depend on "now"; recomputed whenever the items change. The
  // live query hands over new objects on every change to the room (an ack,
  // a sync cursor): rows equal to the previous ones are kept as they were,
  // so the memoized rows on screen do not render again.
  const previousRowsRef = useRef(new Map<string, TimelineRow>());
  const { leadingDay, rows } = useMemo(() => {
    const next = virtualRows(items, previousRowsRef.current, unreadAfterSeq);
    previousRowsRef.current = new Map(next.rows.map((row) => [row.key, row]));
    return next;
  }, [items, unreadAfterSeq]);
  const firstKey = items.length > 0 ? items[0].key : null;
  const lastItem = items.length > 0 ? items[items.length - 1] : null;
  const lastKey = lastItem ? lastItem.key : null;

  // Rows that arrived at the end play the entrance transition, once: a row
  // mounted because the reader scrolled to it must not (nor the history
  // shown on opening, nor a page of older messages). So a row counts as
  // fresh for as long as its transition lasts after it was appended.
  const appendedAtRef = useRef(new Map<string, number>());
  const appendedAt = useMemo(() => {
    const now = Date.now();
    const map = appendedAtRef.current;
    for (const [key, at] of map) if (now - at > ENTRANCE_MS) map.delete(key);
    const prevLast = snapshotRef.current?.lastKey ?? null;
    if (prevLast !== null) {
      const appended: string[] = [];
      for (let i = items.length - 1; i >= 0 && items[i].key !== prevLast; i--) appended.push(items[i].key);
      // Not an append after all (the old last row is gone): nothing is new.
      if (appended.length < items.length) for (const key of appended) if (!map.has(key)) map.set(key, now);
    }
    return map;
  }, [items]);

  /** The virtualizer of the rows (see VirtualRows); null while the room has none. */
  const virtualizerRef = useRef<RowVirtualizer | null>(null);
  // The rows' virtualizer needs the log element from its own first layout
  // effect on, which runs before this component attaches its refs: hand it
  // over as state.
  const [scrollElement, setScrollElement] = useState<HTMLDivElement | null>(null);
  const attachScroll = useCallback((element: HTMLDivElement | null) => {
    scrollRef.current = element;
    setScrollElement(element);
  }, []);

  const updateAtBottom = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM_PX;
    setAtBottom(nearBottom);
    if (nearBottom) setShowNewPill(false);
  }, [setAtBottom]);

  // X1: a tapped quote brings its message into view (once it is among the
  // rows: the page widens the window first when it was not), and flashes it.
  const focusedRef = useRef<{ key: string } | null>(null);
  useEffect(() => {
    if (!focus || focusedRef.current === focus) return;
    const index = rows.findIndex((row) => row.key === focus.key);
    if (index < 0) return;
    focusedRef.current = focus;
    setAtBottom(false);
    virtualizerRef.current?.scrollToIndex(index, { align: 'center' });
    const frame = requestAnimationFrame(() => {
      const element = scrollRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(focus.key)}"]`);
      if (!element) return;
      element.dataset.focused = '';
      setTimeout(() => delete element.dataset.focused, FOCUS_HIGHLIGHT_MS);
    });
    return () => cancelAnimationFrame(frame);
  }, [focus, rows, setAtBottom]);

  const scrollToBottom = useCallback(
    (smooth: boolean) => {
      setAtBottom(true);
      setShowNewPill(false);
      virtualizerRef.current?.scrollToEnd({ behavior: smooth && !prefersReducedMotion() ? 'smooth' : 'auto' });
    },
    [setAtBottom],
  );

  // Where the sizer starts in the log (scrollMargin). With rows, what sits
  // above it has a fixed height (the load-older button or the beginning
  // line, then the first day's separator), so it moves only when sizes
  // change: the rows' (a list shorter than the log sits at its bottom) or
  // the log's own. It is read before paint when the first rows are laid out,
  // and then by a ResizeObserver on the sizer and its column, which runs
  // after the browser's own layout. (Read in a layout effect after every
  // render, it forced a layout of the page in every commit.) Without rows
  // there is nothing to place.
  const hasRows = rows.length > 0;
  const readScrollMargin = useCallback(() => {
    const sizer = sizerRef.current;
    if (sizer) setScrollMargin(sizer.offsetTop);
  }, []);
  useLayoutEffect(() => {
    if (hasRows) readScrollMargin();
  }, [hasRows, readScrollMargin]);
  useEffect(() => {
    const sizer = sizerRef.current;
    const column = columnRef.current;
    if (!hasRows || !sizer || !column || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(readScrollMargin);
    observer.observe(sizer);
    observer.observe(column);
    return () => observer.disconnect();
  }, [hasRows, readScrollMargin]);

  // After every render, before paint: stick to the bottom (or show the pill)
  // when the items changed. Keeping the reader's row in place when older
  // history is prepended, and the bottom in view while rows there are
  // measured, is the virtualizer's job (anchorTo: 'end'; scrollToEnd keeps
  // its target until the sizes settle). No dependency list: it compares the
  // items with the last ones itself, and reads no layout unless they changed.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useLayoutEffect(() => {
    // Until the rows' virtualizer has the log (the render after mounting), there is nothing to scroll.
    if (scrollElement === null) return;

    const prev = snapshotRef.current;
    const itemsChanged = prev === null || prev.firstKey !== firstKey || prev.lastKey !== lastKey || prev.count !== items.length;
    if (itemsChanged) {
      const appended =
        prev !== null && lastKey !== null && lastKey !== prev.lastKey && (prev.lastKey === null || items.some((i) => i.key === prev.lastKey));
      // The user just sent something: take them to it even if they were reading history.
      const ownJustSent = appended && lastItem !== null && lastItem.kind === 'message' && lastItem.own && lastItem.status === 'pending';

      if (prev === null || atBottomRef.current || ownJustSent) {
        virtualizerRef.current?.scrollToEnd();
        setAtBottom(true);
        if (ownJustSent) setShowNewPill(false);
      } else if (appended) {
        setShowNewPill(true);
      }
    }
    snapshotRef.current = { firstKey, lastKey, count: items.length };
  });

  // Keep the bottom in view when the list itself resizes (phone keyboard, composer growing).
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottomRef.current) virtualizerRef.current?.scrollToEnd();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Near the top with more history: ask for it, once per arming.
  useEffect(() => {
    const root = scrollRef.current;
    const target = sentinelRef.current;
    if (!hasOlder || loadingOlder || !autoLoadOlder || !root || !target || typeof IntersectionObserver === 'undefined') return;
    let fired = false;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!fired && entries.some((e) => e.isIntersecting)) {
          fired = true;
          onLoadOlderRef.current();
        }
      },
      { root, rootMargin: `${PRELOAD_MARGIN_PX}px 0px 0px 0px` },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasOlder, loadingOlder, autoLoadOlder, firstKey]);

  return (
    // Ends above a toast (TOAST_CLEARANCE_PROPERTY), so none hides the newest messages.
    <div className="relative flex min-h-0 flex-1 flex-col" style={{ marginBottom: `var(${TOAST_CLEARANCE_PROPERTY}, 0px)` }}>
      <div
        ref={attachScroll}
        role="log"
        aria-label="Messages"
        aria-live="polite"
        aria-busy={loadingOlder || undefined}
        tabIndex={0}
        onScroll={updateAtBottom}
        className="relative min-h-0 flex-1 overflow-y-auto overscroll-contain [overflow-anchor:none] focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500"
      >
        {/*
          The whole pane's width, as in any desktop chat: the bubbles keep a
          readable measure themselves (MessageBubble's max width), and line up
          with the composer, which spans the pane too.
        */}
        <div ref={columnRef} className="flex min-h-full w-full flex-col pt-2">
          {/* Few messages sit at the bottom, next to the composer, as in any chat. */}
          {(items.length > 0 || hasOlder) && <div className="flex-1" />}
          {/*
            One fixed height for the button and the "beginning" line, so the
            rows below do not move when the last page of history arrives.
          */}
          {hasOlder ? (
            <div className="flex h-13 shrink-0 items-start justify-center px-4">
              <div ref={sentinelRef} aria-hidden="true" className="h-px w-px" />
              <button
                type="button"
                onClick={onLoadOlder}
                disabled={loadingOlder}
                className="inline-flex min-h-11 items-center gap-2 rounded-full px-4 text-sm font-medium text-indigo-700 transition-colors hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:cursor-wait disabled:text-slate-500 dark:text-indigo-300 dark:hover:bg-white/5 dark:disabled:text-slate-400 sm:min-h-9"
              >
                {loadingOlder && (
                  <span
                    aria-hidden="true"
                    className="size-3.5 rounded-full border-2 border-current border-t-transparent motion-safe:animate-spin"
                  />
                )}
                {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
              </button>
            </div>
          ) : (
            items.length > 0 && (
              <p className="flex h-13 shrink-0 items-center justify-center px-4 text-center text-xs text-slate-500 dark:text-slate-400">
                This is the beginning of the conversation.
              </p>
            )
          )}

          {leadingDay !== null && <DaySeparator label={leadingDay} />}

          {items.length === 0 && !hasOlder && <EmptyState loading={loadingOlder} />}

          {/*
            Only with rows: an empty room sets up no virtualizer (its
            observers and layout reads). So a new one starts when the first
            messages arrive (a room opened for the first time, its history
            coming over the network), at the bottom, instead of rendering and
            measuring the oldest rows first and the newest ones after
            scrolling to them.
          */}
          {hasRows && (
            <VirtualRows
              rows={rows}
              appendedAt={appendedAt}
              scrollMargin={scrollMargin}
              scrollElement={scrollElement}
              sizerRef={sizerRef}
              virtualizerRef={virtualizerRef}
              onRetry={onRetry}
              onDelete={onDelete}
            />
          )}
          <div className="h-1 shrink-0" />
        </div>
      </div>

      {(showNewPill || (!atBottom && unread > 0)) && (
        <div className="pointer-events-none absolute inset-x-0 bottom-3 flex justify-center">
          <button
            type="button"
            onClick={() => {
              scrollToBottom(true);
              scrollRef.current?.focus({ preventScroll: true });
            }}
            className="pointer-events-auto inline-flex min-h-11 items-center gap-1.5 rounded-full bg-indigo-600 px-4 text-sm font-medium text-white shadow-lg shadow-indigo-900/20 transition hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 motion-safe:starting:translate-y-2 motion-safe:starting:opacity-0 sm:min-h-9"
          >
            {unread > 0 ? `${unread > MAX_PILL_COUNT ? `${MAX_PILL_COUNT}+` : unread} new ${unread === 1 ? 'message' : 'messages'}` : 'New messages'}
            <ArrowDownIcon className="size-4" />
          </button>
        </div>
      )}
    </div>
  );
});

type RowVirtualizer = Virtualizer<HTMLDivElement, HTMLDivElement>;

/** The guesses above, by row kind. */
const ESTIMATED_PX: Readonly<Record<TimelineRow['kind'], number>> = {
  message: ESTIMATED_MESSAGE_PX,
  day: ESTIMATED_DAY_PX,
  unread: ESTIMATED_DAY_PX,
  notice: ESTIMATED_NOTICE_PX,
};

interface VirtualRowsProps {
  rows: readonly TimelineRow[];
  /** When rows were appended (ms since the epoch), for their entrance transition. */
  appendedAt: ReadonlyMap<string, number>;
  scrollMargin: number;
  scrollElement: HTMLDivElement | null;
  sizerRef: RefObject<HTMLDivElement | null>;
  /** Set to this component's virtualizer, for the list's scroll commands. */
  virtualizerRef: RefObject<RowVirtualizer | null>;
  onRetry: (clientId: string) => void;
  onDelete: (clientId: string) => void;
}

/**
 * The sizer and the rows near the viewport, absolutely positioned in it.
 * Owns the virtualizer; the list drives it through `virtualizerRef`.
 */
function VirtualRows({ rows, appendedAt, scrollMargin, scrollElement, sizerRef, virtualizerRef, onRetry, onDelete }: VirtualRowsProps) {
  const getItemKey = useCallback((index: number) => rows[index].key, [rows]);
  const estimateSize = useCallback((index: number) => ESTIMATED_PX[rows[index].kind], [rows]);

  const virtualizer = useVirtualizer<HTMLDivElement, HTMLDivElement>({
    count: rows.length,
    getScrollElement: () => scrollElement,
    getItemKey,
    estimateSize,
    measureElement: measureRow,
    overscan: OVERSCAN_ROWS,
    scrollMargin,
    // A chat: when rows are added or removed above (older history), the row
    // the reader is looking at keeps its place on screen, decided while
    // rendering so no frame shows the wrong rows.
    anchorTo: 'end',
    rangeExtractor: withNewestRow,
    // Open at the bottom: the first render already mounts the newest rows.
    initialOffset: () => rows.length * ESTIMATED_MESSAGE_PX,
    observeElementRect: observeLogRect,
  });

  // Before the list's own layout effects, which scroll through it.
  useLayoutEffect(() => {
    virtualizerRef.current = rows.length > 0 ? virtualizer : null;
  });
  useLayoutEffect(
    () => () => {
      if (virtualizerRef.current === virtualizer) virtualizerRef.current = null;
    },
    [virtualizer, virtualizerRef],
  );

  const now = Date.now();
  return (
    <div ref={sizerRef} className="relative w-full shrink-0" style={{ height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((virtualRow) => {
        const row = rows[virtualRow.index];
        return (
          <div
            key={virtualRow.key}
            data-index={virtualRow.index}
            ref={virtualizer.measureElement}
            // Only new arrivals animate in (see appendedAt).
            className={`absolute inset-x-0 top-0 ${now - (appendedAt.get(row.key) ?? 0) <= ENTRANCE_MS ? '' : '*:transition-none!'}`}
            style={{ transform: `translateY(${virtualRow.start - scrollMargin}px)` }}
          >
            <Row row={row} onRetry={onRetry} onDelete={onDelete} />
          </div>
        );
      })}
    </div>
  );
}

/**
 * The rows near the viewport, plus always the newest one: a message that
 * arrives while the reader is up in the history is still added to the log's
 * DOM, so its live region announces it (rows far from the viewport are not
 * in the DOM at all).
 */
function withNewestRow(range: Range): number[] {
  const indexes = defaultRangeExtractor(range);
  const newest = range.count - 1;
  if (newest >= 0 && indexes.at(-1) !== newest) indexes.push(newest);
  return indexes;
}

/**
 * A row measured at 0 px has no layout (an environment without one, a
 * hidden ancestor); every real row is taller. Keep the estimate then, or all
 * rows would fit in the viewport and all would be rendered.
 */
function measureRow(element: HTMLDivElement, entry: ResizeObserverEntry | undefined, instance: RowVirtualizer): number {
  const size = measureElement(element, entry, instance);
  return size > 0 ? size : instance.options.estimateSize(instance.indexFromElement(element));
}

/**
 * The rows the virtualizer lays out: every message, and a day separator
 * after the last message of each day but the last. Keys must survive older
 * history being prepended, because the virtualizer keeps the row at the top
 * of the viewport in place by its key; so a separator is keyed by the message
 * before it (which never changes), and the first day's separator, which has
 * no message before it and would move to the top of each prepended page, is
 * not a row at all but sits above the list (`leadingDay`).
 */
function virtualRows(
  items: readonly TimelineEntry[],
  previous: ReadonlyMap<string, TimelineRow>,
  unreadAfterSeq: number | null,
): { leadingDay: string | null; rows: TimelineRow[] } {
  const rows: TimelineRow[] = [];
  let leadingDay: string | null = null;
  let previousKey: string | null = null;
  const keep = (row: TimelineRow) => {
    const old = previous.get(row.key);
    rows.push(old !== undefined && sameRow(old, row) ? old : row);
  };
  for (const row of timelineRows(items, new Date(), unreadAfterSeq)) {
    if (row.kind !== 'day') {
      keep(row);
      previousKey = row.key;
    } else if (previousKey === null) {
      leadingDay = row.label;
    } else {
      keep({ ...row, key: `day-after:${previousKey}` });
    }
  }
  return { leadingDay, rows };
}

function sameRow(a: TimelineRow, b: TimelineRow): boolean {
  if (a.kind === 'unread' || b.kind === 'unread') return a.kind === b.kind && a.key === b.key;
  if (a.kind === 'day' || b.kind === 'day') return a.kind === 'day' && b.kind === 'day' && a.key === b.key && a.label === b.label;
  if (a.kind === 'notice' || b.kind === 'notice') {
    return (
      a.kind === 'notice' &&
      b.kind === 'notice' &&
      a.key === b.key &&
      a.notice.text === b.notice.text &&
      a.notice.pending === b.notice.pending &&
      a.notice.failure?.clientId === b.notice.failure?.clientId &&
      a.notice.failure?.reason === b.notice.failure?.reason &&
      a.notice.createdAt === b.notice.createdAt
    );
  }
  if (a.groupStart !== b.groupStart || a.groupEnd !== b.groupEnd) return false;
  const x = a.item;
  const y = b.item;
  return (
    x.key === y.key &&
    x.id === y.id &&
    x.clientId === y.clientId &&
    x.seq === y.seq &&
    x.userId === y.userId &&
    x.content === y.content &&
    x.createdAt === y.createdAt &&
    x.own === y.own &&
    x.senderName === y.senderName &&
    x.senderColor === y.senderColor &&
    x.senderAvatar === y.senderAvatar &&
    x.status === y.status &&
    x.receipt === y.receipt &&
    x.readBy.join() === y.readBy.join() &&
    x.error === y.error &&
    x.retryable === y.retryable &&
    x.editedAt === y.editedAt &&
    x.deleted === y.deleted &&
    x.pendingAction === y.pendingAction &&
    sameQuote(x.replyTo, y.replyTo) &&
    sameList(x.reactions, y.reactions, (r, q) => r.emoji === q.emoji && r.count === q.count && r.mine === q.mine && r.pending === q.pending && r.names.join() === q.names.join()) &&
    sameList(x.actionFailures, y.actionFailures, (f, g) => f.clientId === g.clientId && f.reason === g.reason && f.label === g.label)
  );
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]));
}

function sameQuote(a: TimelineItem['replyTo'], b: TimelineItem['replyTo']): boolean {
  if (a === null || b === null) return a === b;
  return a.id === b.id && a.clientId === b.clientId && a.seq === b.seq && a.senderName === b.senderName && a.excerpt === b.excerpt && a.deleted === b.deleted;
}

/** One row; rows are stable objects between item changes, so scrolling re-renders none of them. */
const Row = memo(function Row({
  row,
  onRetry,
  onDelete,
}: {
  row: TimelineRow;
  onRetry: (clientId: string) => void;
  onDelete: (clientId: string) => void;
}) {
  if (row.kind === 'notice') return <NoticeRow notice={row.notice} onRetry={onRetry} onDelete={onDelete} />;
  if (row.kind === 'unread') return <UnreadDivider />;
  return row.kind === 'day' ? (
    <DaySeparator label={row.label} />
  ) : (
    <MessageBubble item={row.item} groupStart={row.groupStart} groupEnd={row.groupEnd} onRetry={onRetry} onDelete={onDelete} />
  );
});

function DaySeparator({ label }: { label: string }) {
  return (
    <div role="separator" aria-label={label} className="flex items-center gap-3 px-4 pt-2 pb-3">
      <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
      <span className="rounded-full bg-slate-100 px-2.5 py-0.5 text-[11px] font-medium tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
        {label}
      </span>
      <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
    </div>
  );
}

/** L3: where the reader left off: what follows came after they last read the room. */
function UnreadDivider() {
  return (
    <div role="separator" aria-label="New messages" data-unread-divider="" className="flex items-center gap-3 px-4 pt-2 pb-3">
      <span className="h-px flex-1 bg-rose-300 dark:bg-rose-500/60" />
      <span className="text-[11px] font-semibold tracking-wide text-rose-700 uppercase dark:text-rose-300">New messages</span>
      <span className="h-px flex-1 bg-rose-300 dark:bg-rose-500/60" />
    </div>
  );
}

function EmptyState({ loading }: { loading: boolean }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 px-6 py-16 text-center motion-safe:transition motion-safe:duration-500 motion-safe:starting:translate-y-1 motion-safe:starting:opacity-0">
      <div className="grid size-14 place-items-center rounded-2xl bg-indigo-50 text-indigo-600 ring-1 ring-indigo-600/10 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-300/15">
        <ChatBubblesIcon className="size-7" />
      </div>
      <p className="text-[15px] font-medium text-slate-800 dark:text-slate-100">
        {loading ? 'Loading messages…' : 'No messages yet. Say hello!'}
      </p>
      {!loading && (
        <p className="max-w-64 text-sm text-pretty text-slate-600 dark:text-slate-400">
          What you write is saved on this device first, so it is safe even without a connection.
        </p>
      )}
    </div>
  );
}
