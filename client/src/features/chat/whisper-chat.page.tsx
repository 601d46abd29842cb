import { HISTORY_MAX_LIMIT } from '@whisper/protocol';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { LoadBoundary } from '../../shared/ui/load-boundary';
import { EditingKeyContext, MessageActionsContext } from './actions/message-actions-context';
import { useMessageActionsState } from './actions/use-message-actions';
import { messagesTable } from '../../shared/db/messages.table';
import { backoffDelay } from '../../shared/sync/backoff';
import { useEngine } from '../../shared/sync/engine-context';
import { useConnectionStatus } from '../../shared/sync/use-connection-status';
import { useRoomPage } from '../../shared/sync/use-room-timeline';
import { useTyping } from '../../shared/sync/use-typing';
import { presenceText } from '../../shared/sync/presence';
import { usePresence } from '../../shared/sync/use-presence';
import { Composer } from './components/composer';
import { ConnectionIndicator } from './components/connection-indicator';
import { MessageList } from './components/message-list';
import { RoomHeader } from './components/room-header';
import { RoomUnavailable } from './components/room-unavailable';
import { TypingIndicator } from './components/typing-indicator';
import { roomSubtitle } from './components/room-subtitle';
import { useMarkRead } from './hooks/use-mark-read';
import { useDraft } from './hooks/use-draft';
import type { VoiceNote } from './voice/voice-recorder';
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

/**
 * Most pages of older history fetched to reach a quoted message (X1) or a
 * search hit (Q3): each page is the gap to it, up to HISTORY_MAX_LIMIT (500),
 * so up to 10,000 messages back. The cache stays one run of the log, from
 * the hit to the newest message, which the timeline needs (it has no gaps).
 */
const MAX_PAGES_TO_QUOTE = 20;

/** Q3: messages before a search hit loaded with it, so it opens among what led to it. */
const HIT_CONTEXT = 20;

/** The emoji picker and the delete confirmation, fetched when first opened (see message-dialogs.tsx). */
const MessageDialogs = lazy(() => import('./actions/message-dialogs'));

export interface WhisperChatPageProps {
  roomId: string;
  /**
   * The end of the room's bar (the details button): the app composes it
   * from the rooms feature, which this one does not import.
   */
  headerActions?: ReactNode;
  /** The bar's back button (phones): to the room list, which is the home screen there. */
  onBack: () => void;
  /**
   * Q3: a message to show (a search hit, by seq): the room opens at it,
   * with the messages around it loaded, and flashes it.
   */
  focusSeq?: number;
  /** Q3: the message of focusSeq is shown. */
  onFocused?: () => void;
}

/**
 * One room: its bar, its timeline (messages and membership notices), the
 * composer. Keyed by room in the app, so each room starts with its own
 * window, scroll position and draft.
 */
export function WhisperChatPage({ roomId, headerActions, onBack, focusSeq, onFocused }: WhisperChatPageProps) {
  const engine = useEngine();
  const [limit, setLimit] = useState(INITIAL_WINDOW);
  // The room and its timeline: one live query, one render when either changes.
  const { room, timeline } = useRoomPage(roomId, limit);
  const status = useConnectionStatus();
  const indicator = useIndicatorStatus(status);
  const [draft, setDraft] = useDraft(roomId);
  // L3: read when the newest messages are in view; the divider stays where the reader had left off when the room opened.
  const [atBottom, setAtBottom] = useState(true);
  useMarkRead(roomId, timeline.items, atBottom, engine.markRead);
  const [dividerAfter, setDividerAfter] = useState<number | null | undefined>(undefined);
  if (dividerAfter === undefined && timeline.loaded) setDividerAfter(timeline.readSeq);
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

  // X1: a quoted message older than the window: widen it over the cache,
  // and fetch older pages until the cache reaches it (bounded).
  const showOlder = useCallback(
    async (seq: number) => {
      for (let page = 0; page < MAX_PAGES_TO_QUOTE; page++) {
        const oldest = await engine.store.oldestSeq(roomId);
        if (oldest === undefined || oldest <= seq || !(await engine.store.hasOlder(roomId))) break;
        await engine.loadOlder(roomId, Math.min(HISTORY_MAX_LIMIT, oldest - seq));
      }
      const cached = await messagesTable.count(engine.db, roomId);
      setLimit((current) => Math.max(current, cached));
    },
    [engine, roomId],
  );
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const focusComposer = useCallback(() => composerRef.current?.focus(), []);
  const messageActions = useMessageActionsState(engine, roomId, room, timeline.items, showOlder, focusComposer);
  const { replyDraft, cancelReply } = messageActions;

  // Q3: a hit older than the window: widen it (fetching the pages between
  // the cache and the hit, as for a quote; offline, the cache has it already).
  // Once the hit is among the rows, jump to it.
  useEffect(() => {
    if (focusSeq) showOlder(focusSeq - HIT_CONTEXT).catch(() => undefined);
  }, [focusSeq, showOlder]);
  const { setFocus } = messageActions;
  const hitKey = focusSeq && timeline.items.find((entry) => entry.seq === focusSeq)?.key;
  useEffect(() => {
    if (!hitKey) return;
    setFocus({ key: hitKey });
    onFocused?.();
  }, [hitKey, setFocus]); // eslint-disable-line react-hooks/exhaustive-deps -- once per hit, whatever the callback's identity

  const send = useCallback(
    (content: string) => {
      setDraft('');
      void engine.send(roomId, content, replyDraft());
      cancelReply();
    },
    [engine, roomId, setDraft, replyDraft, cancelReply],
  );
  // F2: picked, pasted or dropped files: one message, the box's text as its caption.
  const attach = useCallback(
    async (files: File[]) => {
      // Measuring files (image sizes, audio lengths) is a lazy chunk: most visits attach nothing.
      const { toNewFiles } = await import('./hooks/attach-files');
      const taken = await toNewFiles(files);
      if (taken.length === 0) return;
      setDraft('');
      void engine.store.enqueueWithFiles(roomId, draft, taken, replyDraft());
      cancelReply();
    },
    [engine, roomId, draft, setDraft, replyDraft, cancelReply],
  );
  const onAttach = useCallback((files: File[]) => void attach(files), [attach]);
  // F1: a voice note is a message of its own (the draft stays in the box).
  const onVoiceNote = useCallback(
    (note: VoiceNote) => {
      const file = { blob: note.blob, name: `voice-note.${note.mime.split('/')[1] ?? 'webm'}`, mime: note.mime, kind: 'audio' as const, duration_ms: note.durationMs, waveform: note.waveform };
      void engine.store.enqueueWithFiles(roomId, '', [file]);
    },
    [engine, roomId],
  );
  // L2: what the composer says of the user's typing, and who else types here.
  const setTyping = useCallback((typing: boolean) => engine.setTyping(roomId, typing), [engine, roomId]);
  useEffect(() => () => engine.setTyping(roomId, false), [engine, roomId]);
  // N1: no push for this room while it is on screen (the engine leaves hidden pages out).
  useEffect(() => {
    engine.setViewing(roomId);
    return () => engine.setViewing(null);
  }, [engine, roomId]);
  const typingNames = useTyping(roomId);
  // L1: a DM's bar says whether the other person is online, or when they were last seen.
  const partner = room?.kind === 'dm' ? room.members.find((member) => !member.isMe) : undefined;
  const partnerPresence = presenceText(usePresence(partner?.id));
  const replying = messageActions.replyTo;
  const replyingTo = useMemo(() => (replying ? { senderName: replying.own ? 'yourself' : replying.senderName, excerpt: replying.content } : null), [replying]);

  // Not a room of yours (never was, left, removed or deleted): say so, with the way back.
  if (room === null) return <RoomUnavailable onBack={onBack} />;

  return (
    <section
      className="flex h-full min-h-0 flex-col"
      aria-labelledby="room-title"
      // F2: files dropped anywhere on the room are attached.
      onDragOver={(event) => {
        if (room && event.dataTransfer.types.includes('Files')) event.preventDefault();
      }}
      onDrop={(event) => {
        const files = [...event.dataTransfer.files];
        if (!room || files.length === 0) return;
        event.preventDefault();
        onAttach(files);
      }}
    >
      <RoomHeader
        name={room?.name ?? ''}
        kind={room?.kind ?? 'public'}
        color={partner?.color}
        avatar={partner?.avatar}
        subtitle={room ? roomSubtitle(room, partnerPresence) : null}
        onBack={onBack}
        status={<ConnectionIndicator status={indicator.status} retrying={indicator.retrying} onRetryNow={indicator.retryNow} />}
        actions={room ? headerActions : undefined}
      />
      <MessageActionsContext.Provider value={messageActions.actions}>
        <EditingKeyContext.Provider value={messageActions.editingKey}>
          <MessageList
            items={timeline.items}
            hasOlder={timeline.hasOlder}
            loadingOlder={loadingOlder}
            onLoadOlder={loadOlder}
            autoLoadOlder={!autoLoadPaused}
            onRetry={retry}
            onDelete={remove}
            focus={messageActions.focus}
            onAtBottomChange={setAtBottom}
            unread={timeline.unread}
            unreadAfterSeq={dividerAfter ?? null}
          />
        </EditingKeyContext.Provider>
      </MessageActionsContext.Provider>
      <TypingIndicator names={typingNames} />
      <Composer
        onSend={send}
        onTypingChange={setTyping}
        draft={draft}
        onDraftChange={setDraft}
        replyingTo={replyingTo}
        onCancelReply={cancelReply}
        onEditLast={messageActions.editLast}
        inputRef={composerRef}
        onAttach={room ? onAttach : undefined}
        onVoiceNote={room ? onVoiceNote : undefined}
      />
      {messageActions.dialog && (
        <LoadBoundary onError={(error) => console.warn('whisper: could not load a dialog', error)}>
          <Suspense fallback={null}>
            <MessageDialogs dialog={messageActions.dialog} onClose={messageActions.closeDialog} />
          </Suspense>
        </LoadBoundary>
      )}
    </section>
  );
}
