import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { TimelineItem } from '../../../shared/sync/timeline';
import { ArrowDownIcon, ChatBubblesIcon } from './icons';
import { MessageBubble } from './message-bubble';
import { timelineRows } from './timeline-rows';

export interface MessageListProps {
  /** Oldest first, as the timeline gives them. */
  items: readonly TimelineItem[];
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
}

/** Within this many pixels of the bottom counts as "at the bottom". */
const NEAR_BOTTOM_PX = 80;
/** Start fetching older history this far before the top is reached. */
const PRELOAD_MARGIN_PX = 300;

interface Snapshot {
  firstKey: string | null;
  lastKey: string | null;
  /** offsetTop of the first message, to keep it in place when something is inserted above it. */
  firstTop: number;
}

function findMessage(container: HTMLElement, key: string | null): HTMLElement | null {
  if (key === null) return null;
  for (const el of container.querySelectorAll<HTMLElement>('[data-message]')) {
    if (el.dataset.key === key) return el;
  }
  return null;
}

function prefersReducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * The message stream (C9: `role="log"`). Sticks to the bottom while the user
 * is there, never yanks them down while they read older messages (a "New
 * messages" pill appears instead), loads older pages near the top and keeps
 * the visible messages still when those are prepended.
 */
export function MessageList({ items, hasOlder, loadingOlder, onLoadOlder, autoLoadOlder = true, onRetry, onDelete }: MessageListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  const snapshotRef = useRef<Snapshot | null>(null);
  const onLoadOlderRef = useRef(onLoadOlder);
  const [showNewPill, setShowNewPill] = useState(false);

  useEffect(() => {
    onLoadOlderRef.current = onLoadOlder;
  });

  // Day labels depend on "now"; recomputed whenever the items change.
  const rows = useMemo(() => timelineRows(items), [items]);
  const firstKey = items.length > 0 ? items[0].key : null;
  const lastItem = items.length > 0 ? items[items.length - 1] : null;
  const lastKey = lastItem ? lastItem.key : null;

  const updateAtBottom = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM_PX;
    atBottomRef.current = atBottom;
    if (atBottom) setShowNewPill(false);
  }, []);

  const scrollToBottom = useCallback((smooth: boolean) => {
    const el = scrollRef.current;
    if (!el) return;
    atBottomRef.current = true;
    setShowNewPill(false);
    if (smooth && typeof el.scrollTo === 'function' && !prefersReducedMotion()) {
      el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    } else {
      el.scrollTop = el.scrollHeight;
    }
  }, []);

  // After every render, before paint: stick to the bottom, or keep the first
  // message where it was when something (older history, the load button)
  // changed above it.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const prev = snapshotRef.current;
    const appended =
      prev !== null && lastKey !== null && lastKey !== prev.lastKey && (prev.lastKey === null || items.some((i) => i.key === prev.lastKey));
    // The user just sent something: take them to it even if they were reading history.
    const ownJustSent = appended && lastItem !== null && lastItem.own && lastItem.status === 'pending';

    if (prev === null || atBottomRef.current || ownJustSent) {
      el.scrollTop = el.scrollHeight;
      atBottomRef.current = true;
      if (ownJustSent) setShowNewPill(false);
    } else {
      const anchor = findMessage(el, prev.firstKey);
      if (anchor) {
        const delta = anchor.offsetTop - prev.firstTop;
        if (delta !== 0) el.scrollTop += delta;
      }
      if (appended) setShowNewPill(true);
    }

    snapshotRef.current = { firstKey, lastKey, firstTop: findMessage(el, firstKey)?.offsetTop ?? 0 };
  });

  // Keep the bottom in view when the list itself resizes (phone keyboard, composer growing).
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottomRef.current) el.scrollTop = el.scrollHeight;
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
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={scrollRef}
        role="log"
        aria-label="Messages"
        aria-live="polite"
        aria-busy={loadingOlder || undefined}
        tabIndex={0}
        onScroll={updateAtBottom}
        className="relative min-h-0 flex-1 overflow-y-auto overscroll-contain [overflow-anchor:none] focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500"
      >
        {/*
          One centred column on wide screens: 50rem less the rows' own 1rem
          padding each side is the composer's 48rem, so bubbles line up with
          the text box and the Send button instead of drifting to the edges.
        */}
        <div className="mx-auto flex min-h-full w-full max-w-[50rem] flex-col pt-2">
          {/* Few messages sit at the bottom, next to the composer, as in any chat. */}
          {(items.length > 0 || hasOlder) && <div className="flex-1" />}
          {hasOlder ? (
            <div className="flex justify-center px-4 pb-2">
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
              <p className="px-4 pt-4 pb-2 text-center text-xs text-slate-500 dark:text-slate-400">
                This is the beginning of the conversation.
              </p>
            )
          )}

          {items.length === 0 && !hasOlder && <EmptyState loading={loadingOlder} />}

          {rows.map((row) =>
            row.kind === 'day' ? (
              <DaySeparator key={row.key} label={row.label} />
            ) : (
              <MessageBubble
                key={row.key}
                item={row.item}
                groupStart={row.groupStart}
                groupEnd={row.groupEnd}
                onRetry={onRetry}
                onDelete={onDelete}
              />
            ),
          )}
          <div className="h-1 shrink-0" />
        </div>
      </div>

      {showNewPill && (
        <div className="pointer-events-none absolute inset-x-0 bottom-3 flex justify-center">
          <button
            type="button"
            onClick={() => {
              scrollToBottom(true);
              scrollRef.current?.focus({ preventScroll: true });
            }}
            className="pointer-events-auto inline-flex min-h-11 items-center gap-1.5 rounded-full bg-indigo-600 px-4 text-sm font-medium text-white shadow-lg shadow-indigo-900/20 transition hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 motion-safe:starting:translate-y-2 motion-safe:starting:opacity-0 sm:min-h-9"
          >
            New messages
            <ArrowDownIcon className="size-4" />
          </button>
        </div>
      )}
    </div>
  );
}

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
