import { useCallback, useEffect, useRef, useState } from 'react';
import { backoffDelay } from '../../shared/sync/backoff';
import { useEngine } from '../../shared/sync/engine-context';
import { useConnectionStatus } from '../../shared/sync/use-connection-status';
import { useRoomTimeline } from '../../shared/sync/use-room-timeline';
import { Composer } from './components/composer';
import { ConnectionIndicator } from './components/connection-indicator';
import { MessageList } from './components/message-list';
import { useDraft } from './hooks/use-draft';

/** Messages rendered at first; each "load older" adds another page. */
const INITIAL_WINDOW = 100;
const WINDOW_STEP = 50;

/** The seed's WhisperChat page: one room, its history, the composer. */
export function WhisperChatPage() {
  const engine = useEngine();
  const [limit, setLimit] = useState(INITIAL_WINDOW);
  const timeline = useRoomTimeline(limit);
  const status = useConnectionStatus();
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
      // only for what the cache does not have.
      const cached = await engine.db.messages.where('room_id').equals(engine.roomId).count();
      // Whatever the cache holds beyond the window is shown even if the
      // server cannot be reached (offline reading, C8).
      if (cached > limit) setLimit((current) => Math.max(current, Math.min(cached, limit + WINDOW_STEP)));
      if (cached < limit + WINDOW_STEP) {
        await engine.loadOlder();
        setLimit((current) => Math.max(current, limit + WINDOW_STEP));
      }
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
        <h1 id="room-title" className="truncate text-base font-semibold">
          <span aria-hidden="true" className="text-slate-400">#</span> general
        </h1>
        <ConnectionIndicator status={status} />
      </header>
      <MessageList
        items={timeline.items}
        hasOlder={timeline.hasOlder}
        loadingOlder={loadingOlder}
        onLoadOlder={loadOlder}
        autoLoadOlder={!autoLoadPaused}
        onRetry={(clientId) => void engine.retry(clientId)}
        onDelete={(clientId) => void engine.remove(clientId)}
      />
      <Composer onSend={send} draft={draft} onDraftChange={setDraft} />
    </section>
  );
}
