import { liveQuery, type Subscription } from 'dexie';
import { createActor, type SnapshotFrom } from 'xstate';
import { CHAT_WS_PATH } from '@whisper/protocol';
import { filesTable } from '../db/files.table';
import { outboxTable } from '../db/outbox.table';
import { usersTable } from '../db/users.table';
import type { WhisperDatabase } from '../db/whisper-db';
import { fetchUsers, toSocketOrigin } from './chat-api';
import { createChatStore } from './chat-store';
import { connectionMachine } from './connection.machine';
import { createLinkStatusStore, createPresenceListeners, createTypingListeners, type ConnectionHost, type LinkStatus } from './link-status';
import { createUploadQueue } from './uploads';
import { createUserDirectory } from './user-directory';

export interface ConnectionRuntimeOptions {
  db: WhisperDatabase;
  /** http(s)://host of the Whisper server. */
  origin: string;
}

/** The tags and fields of a machine snapshot that the UI reads. */
export function linkStatusOf(snapshot: SnapshotFrom<typeof connectionMachine>): LinkStatus {
  return {
    live: snapshot.hasTag('live'),
    offline: snapshot.hasTag('offline'),
    unreachable: snapshot.hasTag('unreachable'),
    connecting: snapshot.hasTag('connecting'),
    attempt: snapshot.context.attempt,
    retryAt: snapshot.context.retryAt,
  };
}

/**
 * The connection machine started and wired to its surroundings: the outbox
 * (a new pending row, written by any tab or by this page, wakes the flusher:
 * Dexie's live queries cross tabs and workers), the browser's network state
 * (navigator.onLine, and the page's online/offline events passed on through
 * network()), and the people lookup that frames feed (A5). It runs in the
 * connection worker (connection.worker.ts), or in the page where there is no
 * worker (sync-engine.ts chooses); it never touches the DOM, so it runs the
 * same in both. Everything it writes goes to IndexedDB; all it tells its
 * host is the LinkStatus.
 */
export function startConnectionRuntime({ db, origin }: ConnectionRuntimeOptions): ConnectionHost {
  const store = createChatStore(db, { onPeopleSeen: (ids) => people.want(ids) });
  // One directory per page: the frames this machine stores and the people
  // the page shows (sent here) share what was asked already.
  const people = createUserDirectory({
    unknown: (ids) => usersTable.unknown(db, ids),
    lookup: async (ids) => {
      const identity = await store.getIdentity();
      if (!identity) throw new Error('This device has no identity yet: it gets one the first time it reaches the server.');
      return fetchUsers(origin, ids, identity.token);
    },
    save: (users) => usersTable.bulkPut(db, users),
  });
  const typing = createTypingListeners();
  const presence = createPresenceListeners();
  const connection = createActor(connectionMachine, {
    input: {
      deps: {
        store,
        socketUrl: `${toSocketOrigin(origin)}${CHAT_WS_PATH}`,
        isOnline: () => navigator.onLine,
        now: () => Date.now(),
        random: () => Math.random(),
        onTyping: (frame) => typing.emit({ roomId: frame.room_id, userId: frame.user_id, typing: frame.typing }),
        onPresence: (frame) => presence.emit(frame.data),
        uploads: createUploadQueue({ db, origin }),
      },
    },
  });
  const status = createLinkStatusStore();
  // Every frame makes a snapshot; the host hears only of a changed status.
  const watch = connection.subscribe((snapshot) => status.set(linkStatusOf(snapshot)));

  // Any tab's enqueue or Retry shows up here (Dexie live queries cross tabs
  // and workers), so the tab that holds the outbox lock sends it (C7).
  const pending: Subscription = liveQuery(() => outboxTable.countPending(db)).subscribe({
    next: (count) => {
      if (count > 0) connection.send({ type: 'OUTBOX.CHANGED' });
    },
    error: (error) => console.error('whisper: outbox watch failed', error),
  });

  // F2, F3: a file finished uploading (in this tab or another: the uploads
  // run under their own lock) may unblock a message: plan again.
  const uploaded: Subscription = liveQuery(() => filesTable.countDone(db)).subscribe({
    next: (count) => {
      if (count > 0) connection.send({ type: 'OUTBOX.CHANGED' });
    },
    error: (error) => console.error('whisper: upload watch failed', error),
  });

  connection.start();
  status.set(linkStatusOf(connection.getSnapshot()));

  return {
    getSnapshot: status.getSnapshot,
    subscribe: status.subscribe,
    retryNow: () => connection.send({ type: 'RETRY' }),
    visible: () => connection.send({ type: 'VISIBLE' }),
    network: (online) => connection.send({ type: online ? 'ONLINE' : 'OFFLINE' }),
    wantUsers: (userIds) => people.want(userIds),
    typing: (roomId, on) => connection.send({ type: 'TYPING.SEND', roomId, typing: on }),
    viewing: (roomId) => connection.send({ type: 'VIEWING.SET', roomId }),
    onTyping: typing.add,
    onPresence: presence.add,
    stop() {
      pending.unsubscribe();
      uploaded.unsubscribe();
      people.stop();
      watch.unsubscribe();
      connection.stop();
    },
  };
}
