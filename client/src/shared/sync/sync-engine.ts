import { liveQuery, type Subscription } from 'dexie';
import { createActor } from 'xstate';
import { CHAT_WS_PATH, type Room, type User } from '@whisper/protocol';
import { outboxTable } from '../db/outbox.table';
import { usersTable } from '../db/users.table';
import type { WhisperDatabase } from '../db/whisper-db';
import { fetchHistory, fetchPublicRooms, fetchUsers, searchUsers, toSocketOrigin } from './chat-api';
import { createChatStore, type ChatStore } from './chat-store';
import { connectionMachine, type ConnectionActor } from './connection.machine';
import { createRoomActions, type RoomActions } from './room-actions';
import { createUserDirectory } from './user-directory';

/** Older history is fetched in pages of this many messages (P5). */
export const OLDER_PAGE_SIZE = 50;

export interface SyncEngineOptions {
  db: WhisperDatabase;
  /** http(s)://host of the Whisper server; the page's own origin in the app. */
  origin: string;
}

/** The data layer as the UI uses it: room-agnostic; every room and membership change goes through the outbox (C1). */
export interface SyncEngine extends RoomActions {
  readonly db: WhisperDatabase;
  readonly store: ChatStore;
  readonly connection: ConnectionActor;
  /** C6: a failed message or op again, same client_id. */
  retry(clientId: string): Promise<void>;
  /** C6: drops a failed message or op from the outbox. */
  remove(clientId: string): Promise<void>;
  /** C8: the page of history before the oldest cached entry of the room. */
  loadOlder(roomId: string): Promise<void>;
  /** M6: the newest seq this device has shown the user in that room (unread counts). */
  markSeen(roomId: string, seq: number): Promise<void>;
  /** People whose name matches (GET /v1/users?query=); throws when offline or unreachable. */
  searchUsers(query: string): Promise<User[]>;
  /** M1: public rooms anyone may join (GET /v1/rooms?discover=public). */
  publicRooms(): Promise<{ rooms: Room[]; users: User[] }>;
  /** A5: look up names for these people if the device has none (the hooks call it for what they show). */
  wantUsers(userIds: Iterable<string>): void;
  stop(): void;
}

/**
 * Wires the connection machine to the browser (online/offline, page
 * visibility) and to the outbox (a new pending row wakes the flusher), and
 * starts it. One engine per page; stop() ends it for good.
 */
export function startSyncEngine({ db, origin }: SyncEngineOptions): SyncEngine {
  const people = createUserDirectory({
    unknown: (ids) => usersTable.unknown(db, ids),
    lookup: async (ids) => fetchUsers(origin, ids, await token()),
    save: (users) => usersTable.bulkPut(db, users),
  });
  const store = createChatStore(db, { onPeopleSeen: (ids) => people.want(ids) });
  async function token(): Promise<string> {
    const identity = await store.getIdentity();
    if (!identity) throw new Error('This device has no identity yet: it gets one the first time it reaches the server.');
    return identity.token;
  }
  // The public rooms last listed, so joining one shows it at once (C1).
  const listed = new Map<string, Room>();
  const connection = createActor(connectionMachine, {
    input: {
      deps: {
        store,
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
  const pending: Subscription = liveQuery(() => outboxTable.countPending(db)).subscribe({
    next: (count) => {
      if (count > 0) connection.send({ type: 'OUTBOX.CHANGED' });
    },
    error: (error) => console.error('whisper: outbox watch failed', error),
  });

  connection.start();

  return {
    db,
    store,
    connection,
    ...createRoomActions(store, (roomId) => listed.get(roomId)),
    retry: (clientId) => store.retry(clientId),
    remove: (clientId) => store.remove(clientId),
    async loadOlder(roomId) {
      const oldest = await store.oldestSeq(roomId);
      if (oldest === undefined || oldest <= 1) {
        await store.setHasOlder(roomId, false);
        return;
      }
      const page = await fetchHistory(origin, { roomId, beforeSeq: oldest, limit: OLDER_PAGE_SIZE }, (await store.getIdentity())?.token);
      await store.storeMessages(page.data);
      await store.setHasOlder(roomId, page.has_more);
    },
    markSeen: (roomId, seq) => store.markSeen(roomId, seq),
    async searchUsers(query) {
      const found = await searchUsers(origin, query, await token());
      // Picked for a new group, they are named at once in its pending notices.
      await usersTable.bulkPut(db, found);
      return found;
    },
    async publicRooms() {
      const { data, users } = await fetchPublicRooms(origin, await token());
      for (const room of data) listed.set(room.id, room);
      await usersTable.bulkPut(db, users);
      return { rooms: data, users };
    },
    wantUsers: (userIds) => people.want(userIds),
    stop() {
      pending.unsubscribe();
      people.stop();
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisibility);
      connection.stop();
    },
  };
}
