import { liveQuery, type Subscription } from 'dexie';
import { createActor } from 'xstate';
import { CHAT_WS_PATH, DEFAULT_ROOM_ID } from '@whisper/protocol';
import type { WhisperDatabase } from '../db/whisper-db';
import { fetchHistory, toSocketOrigin } from './chat-api';
import { createChatStore, type ChatStore } from './chat-store';
import { connectionMachine, type ConnectionActor } from './connection.machine';

/** Older history is fetched in pages of this many messages (P5). */
export const OLDER_PAGE_SIZE = 50;

export interface SyncEngineOptions {
  db: WhisperDatabase;
  /** http(s)://host of the Whisper server; the page's own origin in the app. */
  origin: string;
  roomId?: string;
}

export interface SyncEngine {
  readonly db: WhisperDatabase;
  readonly store: ChatStore;
  readonly roomId: string;
  readonly connection: ConnectionActor;
  /** C1: written to IndexedDB first, shown at once as pending, sent when possible. */
  send(content: string): Promise<void>;
  retry(clientId: string): Promise<void>;
  remove(clientId: string): Promise<void>;
  /** C8: the page of history before the oldest cached message. */
  loadOlder(): Promise<void>;
  stop(): void;
}

/**
 * Wires the connection machine to the browser (online/offline, page
 * visibility) and to the outbox (a new pending row wakes the flusher), and
 * starts it. One engine per page; stop() ends it for good.
 */
export function startSyncEngine({ db, origin, roomId = DEFAULT_ROOM_ID }: SyncEngineOptions): SyncEngine {
  const store = createChatStore(db);
  const connection = createActor(connectionMachine, {
    input: {
      roomId,
      deps: {
        store,
        fetchLatest: (room) => fetchHistory(origin, { roomId: room }),
        socketUrl: `${toSocketOrigin(origin)}${CHAT_WS_PATH}`,
        isOnline: () => navigator.onLine,
        now: () => Date.now(),
        random: () => Math.random(),
      },
    },
  });

  const onOnline = () => connection.send({ type: 'ONLINE' });
  const onOffline = () => connection.send({ type: 'OFFLINE' });
  const onVisibility = () => {
    if (document.visibilityState === 'visible') connection.send({ type: 'VISIBLE' });
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisibility);

  // Any tab's enqueue or Retry shows up here (Dexie live queries cross tabs),
  // so the tab that holds the outbox lock sends it (C7).
  const pending: Subscription = liveQuery(() => db.outbox.where('status').equals('pending').count()).subscribe({
    next: (count) => {
      if (count > 0) connection.send({ type: 'OUTBOX.CHANGED' });
    },
    error: (error) => console.error('whisper: outbox watch failed', error),
  });

  connection.start();

  return {
    db,
    store,
    roomId,
    connection,
    async send(content) {
      await store.enqueue(roomId, content);
    },
    retry: (clientId) => store.retry(clientId),
    remove: (clientId) => store.remove(clientId),
    async loadOlder() {
      const oldest = await store.oldestSeq(roomId);
      if (oldest === undefined || oldest <= 1) {
        await store.setHasOlder(roomId, false);
        return;
      }
      const page = await fetchHistory(origin, { roomId, beforeSeq: oldest, limit: OLDER_PAGE_SIZE });
      await store.storeMessages(page.data);
      await store.setHasOlder(roomId, page.has_more);
    },
    stop() {
      pending.unsubscribe();
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisibility);
      connection.stop();
    },
  };
}
