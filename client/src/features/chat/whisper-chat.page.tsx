import { useCallback, useEffect, useRef, useState } from 'react';
import { backoffDelay } from '../../shared/sync/backoff';
import { useEngine } from '../../shared/sync/engine-context';
import { useConnectionStatus } from '../../shared/sync/use-connection-status';
import { useRoomTimeline } from '../../shared/sync/use-room-timeline';
import { Composer } from './components/composer';
import { ConnectionIndicator } from './components/connection-indicator';
import { MessageList } from './components/message-list';
import { useDraft } from './hooks/use-draft';
import { useIndicatorStatus } from './hooks/use-indicator-status';

/**
 * How many of the room's newest cached messages the live query reads at
 * first, and by how many more each "load older" widens it over the cache.
 *
 * The list is virtualized, so the window's size costs little to render: only
 * the rows near the viewport are in the DOM. What it does cost is the live
 * query, which rereads the whole window from IndexedDB on every change to
 * the room (each new message, each ack). So the window stays bounded by what
 * the reader has actually scrolled back through, and grows in big steps: with
 * 500 a reader can scroll back through 10,000 cached messages in 20 widenings
 * (each about 30,000 px of scrolling apart) instead of 200 at 50 apiece, each
 * of which rereads everything shown so far. Messages the cache does not have
 * still come from the server a page (OLDER_PAGE_SIZE) at a time.
 */
const INITIAL_WINDOW = 100;
const WINDOW_STEP = 500;

/** The seed's WhisperChat page: one room, its history, the composer. */
export function WhisperChatPage() {
  const engine = useEngine();
  const [limit, setLimit] = useState(INITIAL_WINDOW);
  const timeline = useRoomTimeline(limit);
  const status = useConnectionStatus();
  const indicator = useIndicatorStatus(status);
  const [draft, setDraft] = useDraft();
  const [loadingOlder, setLoadingOlder] = useState(false);

  // A failed page of older history (offline, server trouble) pauses the
  // list's automatic loading, with backoff: a reader resting at the top
  // would otherwise retry in a tight loop. The button still works, and
  // reaching live again resumes at once.
  const [autoLoadPaused, setAutoLoadPaused] = useState(false);
  const olderFailures = useRef(0);
  const resumeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const resumeAutoLoad = useCallback(() => {
    clearTimeout(resumeTimer.current);
    setAutoLoadPaused(false);
  }, []);
  useEffect(() => () => clearTimeout(resumeTimer.current), []);
  useEffect(() => {
    if (status.phase !== 'online') return;
    olderFailures.current = 0;
    resumeAutoLoad();
  }, [status.phase, resumeAutoLoad]);

  const loadOlder = useCallback(async () => {
    if (loadingOlder) return;
    setLoadingOlder(true);
    try {
      // Widen the window over the local cache first; go to the server (C8)
      // only when the cache has nothing beyond the window.
      const countCached = () => engine.db.messages.where('room_id').equals(engine.roomId).count();
      let cached = await countCached();
      if (cached <= limit) {
        await engine.loadOlder();
        cached = await countCached();
      }
      // Whatever the cache holds beyond the window is shown even if the
      // server cannot be reached (offline reading, C8); the window never
      // grows past what is cached, so it stays a bound on the live query.
      setLimit((current) => Math.max(current, Math.min(cached, limit + WINDOW_STEP)));
      olderFailures.current = 0;
      resumeAutoLoad();
    } catch (error) {
      console.warn('whisper: could not load older messages', error);
      setAutoLoadPaused(true);
      clearTimeout(resumeTimer.current);
      resumeTimer.current = setTimeout(() => setAutoLoadPaused(false), backoffDelay(olderFailures.current++));
    } finally {
      setLoadingOlder(false);
    }
  }, [engine, limit, loadingOlder, resumeAutoLoad]);

  // Stable, so a re-render of the page (connection status, draft) does not
  // re-render every message row (they are memoized on their props).
  const retry = useCallback((clientId: string) => void engine.retry(clientId), [engine]);
  const remove = useCallback((clientId: string) => void engine.remove(clientId), [engine]);

  const send = useCallback(
    (content: string) => {
      setDraft('');
      void engine.send(content);
    },
    [engine, setDraft],
  );

  return (
    <section className="flex h-full min-h-0 flex-col" aria-labelledby="room-title">
      <header className="flex items-center justify-between gap-3 border-b border-black/5 px-4 py-3 dark:border-white/10">
        <h1 id="room-title" className="shrink-0 text-base font-semibold">
          <span aria-hidden="true" className="text-slate-400">#</span> general
        </h1>
        <ConnectionIndicator status={indicator.status} retrying={indicator.retrying} onRetryNow={indicator.retryNow} />
      </header>
      <MessageList
        items={timeline.items}
        hasOlder={timeline.hasOlder}
        loadingOlder={loadingOlder}
        onLoadOlder={loadOlder}
        autoLoadOlder={!autoLoadPaused}
        onRetry={retry}
        onDelete={remove}
      />
      <Composer onSend={send} draft={draft} onDraftChange={setDraft} />
    </section>
  );
}
