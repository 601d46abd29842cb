import type { Room, User } from '@whisper/protocol';
import { usersTable } from '../db/users.table';
import { metaTable } from '../db/meta.table';
import { MetaKey, type WhisperDatabase } from '../db/whisper-db';
import type { AccountActions } from './account';
import { fetchHistory, fetchPublicRooms, searchUsers } from './chat-api';
import { createChatStore, type ChatStore } from './chat-store';
import { hostInWorker } from './connection-bridge';
import { createLinkStatusStore, createPresenceListeners, createTypingListeners, type Connection, type ConnectionHost } from './link-status';
import type { MediaVariant } from './media';
import { createPresenceBoard, type PresenceBoard } from './presence';
import { createRoomActions, type RoomActions } from './room-actions';
import { createTypingBoard, createTypingSender, type TypingBoard } from './typing';
import { createViewingReporter } from './viewing';

/** Older history is fetched in pages of this many messages (P5). */
export const OLDER_PAGE_SIZE = 50;

export interface SyncEngineOptions {
  db: WhisperDatabase;
  /** http(s)://host of the Whisper server; the page's own origin in the app. */
  origin: string;
  /** After another identity took the device: starts the app afresh (default: the page reloads at `/`). */
  restart?: () => void;
}

/** Tabs of one device tell each other that the identity changes hands: the others stop, then reload. */
const ACCOUNT_CHANNEL = 'whisper-account';
const AccountSignal = { Leaving: 'leaving', Switched: 'switched' } as const;

function accountChannel(): BroadcastChannel | undefined {
  return typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(ACCOUNT_CHANNEL);
}

/** The data layer as the UI uses it: room-agnostic; every room and membership change goes through the outbox (C1). */
export interface SyncEngine extends RoomActions {
  readonly db: WhisperDatabase;
  readonly store: ChatStore;
  /** The connection machine's status, and Retry now (C3); the machine itself runs in a worker. */
  readonly connection: Connection;
  /** C6: a failed message or op again, same client_id. */
  retry(clientId: string): Promise<void>;
  /** C6: drops a failed message or op from the outbox. */
  remove(clientId: string): Promise<void>;
  /** F6: a stored file's bytes (or its thumbnail), from the media cache or the server. */
  media(id: string, variant?: MediaVariant): Promise<Blob>;
  /** C8: the page of history before the oldest cached entry of the room (`limit` messages, at most the server's HISTORY_MAX_LIMIT). */
  loadOlder(roomId: string, limit?: number): Promise<void>;
  /**
   * L3: the user has seen the room up to `seq` (its newest messages were on
   * screen in a visible page): the unread count drops at once, and a `read`
   * op is queued, coalesced with one not yet sent.
   */
  markRead(roomId: string, seq: number): Promise<void>;
  /** People whose name matches (GET /v1/users?query=); throws when offline or unreachable. */
  searchUsers(query: string): Promise<User[]>;
  /** M1: public rooms anyone may join (GET /v1/rooms?discover=public). */
  publicRooms(): Promise<{ rooms: Room[]; users: User[] }>;
  /** A5: look up names for these people if the device has none (the hooks call it for what they show). */
  wantUsers(userIds: Iterable<string>): void;
  /** A1–A5: sign up, log in and out, the profile. */
  readonly account: AccountActions;
  /**
   * L2: the user types in the room (true, on every input) or stopped (false:
   * sent, cleared the box, left it). Throttled here; sent only while live.
   */
  setTyping(roomId: string, typing: boolean): void;
  /** N1: the room the page shows (null: none); the server hears of it while the page is visible. */
  setViewing(roomId: string | null): void;
  /** L2: who else types where (in memory; each one expires by itself). */
  readonly typing: Pick<TypingBoard, 'typers' | 'subscribe'>;
  /** L1: who is online or last seen when (in memory; use-presence.ts hides "online" while the link is not live). */
  readonly presence: Pick<PresenceBoard, 'get' | 'subscribe'>;
  stop(): void;
}

/**
 * Where the connection machine runs: in a module worker of its own
 * (connection.worker.ts), off the main thread, or, where the page has no
 * workers (jsdom in the unit tests) or the worker does not start (a browser
 * without module workers), in the page itself. The one place that chooses.
 */
function startConnection(db: WhisperDatabase, origin: string): ConnectionHost {
  const inPage = () => hostInPage(db, origin);
  if (typeof Worker === 'undefined') return inPage();
  let worker: Worker;
  try {
    worker = new Worker(new URL('./connection.worker.ts', import.meta.url), { type: 'module', name: 'whisper-connection' });
  } catch (error) {
    console.warn('whisper: the connection runs in the page (no module worker)', error);
    return inPage();
  }
  return hostInWorker(worker, { origin, dbName: db.name }, inPage);
}

/**
 * The machine in the page. Its code (and XState with it) is loaded on
 * demand, so it stays out of the page's initial JavaScript; what the page
 * asks before it is there waits for it.
 */
function hostInPage(db: WhisperDatabase, origin: string): ConnectionHost {
  const status = createLinkStatusStore();
  const typing = createTypingListeners();
  const presence = createPresenceListeners();
  let runtime: ConnectionHost | undefined;
  let stopped = false;
  const waiting: ((host: ConnectionHost) => void)[] = [];
  const whenStarted = (action: (host: ConnectionHost) => void) => (runtime ? action(runtime) : void waiting.push(action));
  import('./connection-runtime')
    .then(({ startConnectionRuntime }) => {
      if (stopped) return;
      const host = startConnectionRuntime({ db, origin });
      runtime = host;
      host.subscribe(() => status.set(host.getSnapshot()));
      host.onTyping(typing.emit);
      host.onPresence(presence.emit);
      status.set(host.getSnapshot());
      for (const action of waiting.splice(0)) action(host);
    })
    .catch((error: unknown) => console.error('whisper: the connection could not start', error));
  return {
    getSnapshot: status.getSnapshot,
    subscribe: status.subscribe,
    retryNow: () => whenStarted((host) => host.retryNow()),
    visible: () => whenStarted((host) => host.visible()),
    network: (online) => whenStarted((host) => host.network(online)),
    wantUsers(userIds) {
      const ids = [...userIds];
      whenStarted((host) => host.wantUsers(ids));
    },
    // L2: not started yet, the machine is not live either: dropped, like any signal offline.
    typing: (roomId, on) => runtime?.typing(roomId, on),
    viewing: (roomId) => whenStarted((host) => host.viewing(roomId)),
    onTyping: typing.add,
    onPresence: presence.add,
    stop() {
      stopped = true;
      runtime?.stop();
    },
  };
}

/**
 * Starts the connection machine (see startConnection) and gives the page
 * what it does itself: reads and the user's own writes to IndexedDB, REST
 * calls, and the page's visibility and online/offline events, which the
 * machine cannot hear in a worker. One engine per page; stop() ends it for good.
 */
export function startSyncEngine({ db, origin, restart = () => window.location.assign('/') }: SyncEngineOptions): SyncEngine {
  const connection = startConnection(db, origin);
  const tabs = accountChannel();
  let connectionStopped = false;
  const stopConnection = () => {
    if (connectionStopped) return;
    connectionStopped = true;
    connection.stop();
  };
  // The account's code (A1–A5: sign up, log in and out, the profile) serves
  // the profile sheet, not the first screen: it is loaded on first use.
  let accountActions: Promise<AccountActions> | undefined;
  const loadAccount = () =>
    (accountActions ??= import('./account').then(({ createAccountActions }) =>
      createAccountActions({
        db,
        origin,
        stopConnection() {
          tabs?.postMessage(AccountSignal.Leaving);
          stopConnection();
        },
        restart() {
          tabs?.postMessage(AccountSignal.Switched);
          restart();
        },
      }),
    ));
  // Each method loads the code, then runs; not thenable, so it is never mistaken for a promise.
  const account = new Proxy({} as AccountActions, {
    get: (_, method: keyof AccountActions | 'then') =>
      method === 'then' ? undefined : async (...args: unknown[]) => ((await loadAccount())[method] as (...args: unknown[]) => unknown)(...args),
  });
  if (tabs) {
    tabs.onmessage = (event: MessageEvent) => {
      if (event.data === AccountSignal.Leaving) stopConnection();
      if (event.data === AccountSignal.Switched) window.location.reload();
    };
  }
  // A4: sessions logged out while offline are revoked once the server answers.
  // Only a device with sessions left to revoke loads the account's code for it.
  const revokeLeftovers = () =>
    void metaTable
      .get(db, MetaKey.tokensToRevoke)
      .then((pending) => pending && account.revokeLeftovers())
      .catch((error: unknown) => console.warn('whisper: revoking a logged-out session failed', error));
  revokeLeftovers();
  // History pages name people too: the connection's directory looks them up.
  const store = createChatStore(db, { onPeopleSeen: (ids) => connection.wantUsers(ids) });
  async function token(): Promise<string> {
    const identity = await store.getIdentity();
    if (!identity) throw new Error('This device has no identity yet: it gets one the first time it reaches the server.');
    return identity.token;
  }
  // The public rooms last listed, so joining one shows it at once (C1).
  const listed = new Map<string, Room>();

  // What the machine cannot see from a worker: the page's visibility and
  // its online/offline events.
  const onOnline = () => {
    connection.network(true);
    revokeLeftovers();
  };
  const onOffline = () => connection.network(false);
  const viewing = createViewingReporter(connection.viewing, () => document.visibilityState === 'visible');
  const onVisibility = () => {
    if (document.visibilityState === 'visible') connection.visible();
    viewing.update();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisibility);

  // L2: others' typing, heard while live; a link that is not live hears no
  // more of it, so what was shown goes at once rather than at its expiry.
  const typingBoard = createTypingBoard();
  const stopHearingTyping = connection.onTyping(typingBoard.hear);
  // L1: who is online, from the frames; once the link stops being live
  // nobody is known to be online (the next catch-up's snapshot tells again).
  const presenceBoard = createPresenceBoard();
  const stopHearingPresence = connection.onPresence(presenceBoard.hear);
  let wasLive = connection.getSnapshot().live;
  const stopWatchingLive = connection.subscribe(() => {
    const { live } = connection.getSnapshot();
    if (!live) typingBoard.clear();
    if (wasLive && !live) presenceBoard.forgetOnline();
    wasLive = live;
  });
  const typingSender = createTypingSender((roomId, on) => connection.typing(roomId, on));

  return {
    db,
    store,
    connection,
    ...createRoomActions(store, (roomId) => listed.get(roomId)),
    retry: (clientId) => store.retry(clientId),
    remove: (clientId) => store.remove(clientId),
    // Lazy: only rooms with files need it.
    media: async (id, variant) => (await import('./media')).loadMedia({ origin, token: async () => (await store.getIdentity())?.token }, id, variant),
    async loadOlder(roomId, limit = OLDER_PAGE_SIZE) {
      const oldest = await store.oldestSeq(roomId);
      if (oldest === undefined || oldest <= 1) {
        await store.setHasOlder(roomId, false);
        return;
      }
      const page = await fetchHistory(origin, { roomId, beforeSeq: oldest, limit }, (await store.getIdentity())?.token);
      await store.storeMessages(page.data);
      await store.setHasOlder(roomId, page.has_more);
    },
    async markRead(roomId, seq) {
      await store.markRead(roomId, seq);
    },
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
    wantUsers: (userIds) => connection.wantUsers(userIds),
    account,
    setTyping: (roomId, on) => typingSender.set(roomId, on),
    setViewing: viewing.show,
    typing: typingBoard,
    presence: presenceBoard,
    stop() {
      typingSender.stopAll();
      stopHearingTyping();
      stopHearingPresence();
      presenceBoard.clear();
      stopWatchingLive();
      typingBoard.clear();
      tabs?.close();
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisibility);
      stopConnection();
    },
  };
}
