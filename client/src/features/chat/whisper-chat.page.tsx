import { useCallback, useState } from 'react';
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

  const loadOlder = useCallback(async () => {
    if (loadingOlder) return;
    setLoadingOlder(true);
    try {
      // Widen the window over the local cache first; go to the server (C8)
      // only for what the cache does not have.
      const cached = await engine.db.messages.where('room_id').equals(engine.roomId).count();
      if (cached < limit + WINDOW_STEP) await engine.loadOlder();
      setLimit((current) => current + WINDOW_STEP);
    } catch (error) {
      console.warn('whisper: could not load older messages', error);
    } finally {
      setLoadingOlder(false);
    }
  }, [engine, limit, loadingOlder]);

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
        onRetry={(clientId) => void engine.retry(clientId)}
        onDelete={(clientId) => void engine.remove(clientId)}
      />
      <Composer onSend={send} draft={draft} onDraftChange={setDraft} />
    </section>
  );
}
