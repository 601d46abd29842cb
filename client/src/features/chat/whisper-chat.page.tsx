import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { messagesTable } from '../../shared/db/messages.table';
import { backoffDelay } from '../../shared/sync/backoff';
import { useEngine } from '../../shared/sync/engine-context';
import { useConnectionStatus } from '../../shared/sync/use-connection-status';
import { useRoomPage } from '../../shared/sync/use-room-timeline';
import { Composer } from './components/composer';
import { ConnectionIndicator } from './components/connection-indicator';
import { MessageList } from './components/message-list';
import { RoomHeader } from './components/room-header';
import { RoomUnavailable } from './components/room-unavailable';
import { roomSubtitle } from './components/room-subtitle';
import { useMarkSeen } from './hooks/use-mark-seen';
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

export interface WhisperChatPageProps {
  roomId: string;
  /**
   * The end of the room's bar (the details button): the app composes it
   * from the rooms feature, which this one does not import.
   */
  headerActions?: ReactNode;
  /** The bar's back button (phones): to the room list, which is the home screen there. */
  onBack: () => void;
}

/**
 * One room: its bar, its timeline (messages and membership notices), the
 * composer. Keyed by room in the app, so each room starts with its own
 * window, scroll position and draft.
 */
export function WhisperChatPage({ roomId, headerActions, onBack }: WhisperChatPageProps) {
  const engine = useEngine();
  const [limit, setLimit] = useState(INITIAL_WINDOW);
  // The room and its timeline: one live query, one render when either changes.
  const { room, timeline } = useRoomPage(roomId, limit);
  const status = useConnectionStatus();
  const indicator = useIndicatorStatus(status);
  const [draft, setDraft] = useDraft(roomId);
  useMarkSeen(roomId, timeline.items);
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
      const countCached = () => messagesTable.count(engine.db, roomId);
      let cached = await countCached();
      if (cached <= limit) {
        await engine.loadOlder(roomId);
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
  }, [engine, roomId, limit, loadingOlder, resumeAutoLoad]);

  // Stable, so a re-render of the page (connection status, draft) does not
  // re-render every message row (they are memoized on their props).
  const retry = useCallback((clientId: string) => void engine.retry(clientId), [engine]);
  const remove = useCallback((clientId: string) => void engine.remove(clientId), [engine]);

  const send = useCallback(
    (content: string) => {
      setDraft('');
      void engine.send(roomId, content);
    },
    [engine, roomId, setDraft],
  );

  // Not a room of yours (never was, left, removed or deleted): say so, with the way back.
  if (room === null) return <RoomUnavailable onBack={onBack} />;

  return (
    <section className="flex h-full min-h-0 flex-col" aria-labelledby="room-title">
      <RoomHeader
        name={room?.name ?? ''}
        kind={room?.kind ?? 'public'}
        color={room?.kind === 'dm' ? room.members.find((member) => !member.isMe)?.color : undefined}
        subtitle={room ? roomSubtitle(room) : null}
        onBack={onBack}
        status={<ConnectionIndicator status={indicator.status} retrying={indicator.retrying} onRetryNow={indicator.retryNow} />}
        actions={room ? headerActions : undefined}
      />
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
