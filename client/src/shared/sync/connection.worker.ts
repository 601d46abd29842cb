/// <reference lib="webworker" />
import { openDatabase } from '../db/whisper-db';
import { serveConnection } from './connection-bridge';
import { startConnectionRuntime } from './connection-runtime';

/**
 * The connection worker: the page's connection machine with its socket,
 * catch-up, the writes of what the server sends, and the outbox flush (under
 * the outbox Web Lock, C7), off the page's main thread. It opens the page's
 * database for itself; the page reads it (live queries) and writes the
 * user's own changes, and Dexie tells each side of the other's commits.
 * One per tab, started by sync-engine.ts.
 */
declare const self: DedicatedWorkerGlobalScope;

serveConnection(self, ({ origin, dbName }) => {
  // Some browsers have had workers without IndexedDB: the page runs the machine then.
  if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB in workers');
  const db = openDatabase(dbName);
  const host = startConnectionRuntime({ db, origin });
  return {
    ...host,
    stop() {
      host.stop();
      db.close();
    },
  };
});
