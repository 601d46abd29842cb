/// <reference lib="webworker" />
/**
 * W3: Background Sync. A page that goes away with unsent work registers a
 * one-off sync (OUTBOX_SYNC_TAG; client/src/app/use-sync-on-leave.ts); the
 * browser fires it here when it is online, and again later while the flush
 * fails (a rejected waitUntil is how a sync asks to be retried). The flush
 * runs under the outbox's Web Lock, as a tab's would (C7): a page that is
 * open holds it and sends the outbox itself.
 */
import { openDatabase } from '../client/src/shared/db/whisper-db';
import { flushInBackground } from '../client/src/shared/sync/background-flush';
import { OUTBOX_LOCK, OUTBOX_SYNC_TAG } from '../client/src/shared/sync/outbox-names';

declare const self: ServiceWorkerGlobalScope;

/** The Background Sync event (not in TypeScript's lib yet). */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

/**
 * How long the sync waits for the outbox lock. A page that is closing lets
 * go of it within moments; one still holding it after this is open, and
 * sends the outbox itself.
 */
const LOCK_WAIT_MS = 5_000;

async function flush(): Promise<void> {
  const db = openDatabase();
  try {
    await flushInBackground(db, { origin: self.location.origin });
  } finally {
    db.close();
  }
}

async function flushUnderLock(): Promise<void> {
  const locks = self.navigator.locks;
  if (!locks) return flush();
  let granted = false;
  try {
    await locks.request(OUTBOX_LOCK, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => {
      granted = true;
      return flush();
    });
  } catch (error) {
    // Not granted in time: an open page leads the outbox (nothing to retry).
    if (!granted) return;
    throw error;
  }
}

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag === OUTBOX_SYNC_TAG) sync.waitUntil(flushUnderLock());
});
