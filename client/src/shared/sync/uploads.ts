import { liveQuery, type Subscription } from 'dexie';
import { filesTable } from '../db/files.table';
import { metaTable } from '../db/meta.table';
import { outboxTable } from '../db/outbox.table';
import type { FileRow, WhisperDatabase } from '../db/whisper-db';
import { createOutboxFilesStore } from './outbox-files';
import { uploadFile, UploadInterrupted, type UploadOutcome } from './tus-upload';

/** Uploads at once (F2): two keep the link busy without starving the socket. */
export const UPLOAD_CONCURRENCY = 2;
/** After an interrupted upload, this long before it is tried again (while the link stays live). */
export const UPLOAD_RETRY_MS = 5_000;
export const UPLOADS_PATH = '/v1/uploads';

export interface UploadQueueOptions {
  db: WhisperDatabase;
  /** http(s)://host of the Whisper server. */
  origin: string;
  fetch?: typeof fetch;
  chunkSize?: number;
  concurrency?: number;
  retryMs?: number;
}

/** What the connection machine's `uploader` actor runs while the link is live. */
export interface UploadRunner {
  /** Starts uploading; `onSettled` after each file that finished (or was refused). Returns stop. */
  run(onSettled: (outcome: UploadOutcome) => void): () => void;
}

/** Files to upload now: unfinished, of messages still queued (not failed) and of this identity. */
async function uploadable(db: WhisperDatabase): Promise<FileRow[]> {
  return db.transaction('r', db.files, db.outbox, db.meta, async () => {
    const [files, me] = await Promise.all([filesTable.unfinished(db), metaTable.myUserId(db)]);
    const rows = await outboxTable.bulkGet(db, [...new Set(files.map((file) => file.client_id))]);
    const ready = new Set(rows.filter((row) => row && row.status !== 'failed' && (row.user_id === null || row.user_id === me)).map((row) => row!.client_id));
    return files.filter((file) => ready.has(file.client_id));
  });
}

/**
 * F2: the device's unfinished uploads, oldest message first, at most
 * `concurrency` at a time. One tab uploads (a Web Lock, like the outbox
 * flush: C7); an interrupted upload is tried again after a pause, resuming
 * from the server's offset.
 */
export function createUploadQueue(options: UploadQueueOptions): UploadRunner {
  const { db } = options;
  const files = createOutboxFilesStore(db, () => {
    throw new Error('the upload queue mints no ids');
  });
  return {
    run(onSettled) {
      const abort = new AbortController();
      const active = new Set<string>();
      const resting = new Map<string, ReturnType<typeof setTimeout>>();
      let waiting: FileRow[] = [];
      let subscription: Subscription | undefined;

      const pump = () => {
        if (abort.signal.aborted) return;
        for (const file of waiting) {
          if (active.size >= (options.concurrency ?? UPLOAD_CONCURRENCY)) break;
          if (active.has(file.id) || resting.has(file.id)) continue;
          active.add(file.id);
          void start(file.id).finally(() => {
            active.delete(file.id);
            pump();
          });
        }
      };
      const start = async (fileId: string) => {
        try {
          const identity = await metaTable.identity(db);
          if (!identity) throw new UploadInterrupted('no identity yet');
          const outcome = await uploadFile(db, fileId, {
            endpoint: `${options.origin}${UPLOADS_PATH}`,
            token: identity.token,
            fetch: options.fetch,
            chunkSize: options.chunkSize,
            signal: abort.signal,
            onRefused: (file, message) => files.refuseUpload(file.id, message),
          });
          if (!abort.signal.aborted) onSettled(outcome);
        } catch (error) {
          if (abort.signal.aborted) return;
          if (!(error instanceof UploadInterrupted)) console.error('whisper: upload failed', error);
          resting.set(
            fileId,
            setTimeout(() => {
              resting.delete(fileId);
              pump();
            }, options.retryMs ?? UPLOAD_RETRY_MS),
          );
        }
      };
      const watch = () => {
        subscription = liveQuery(() => uploadable(db)).subscribe({
          next: (rows) => {
            waiting = rows;
            pump();
          },
          error: (error) => console.error('whisper: upload watch failed', error),
        });
      };

      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
      if (locks) {
        // Held until stopped; a tab that waits for it takes over when this one goes.
        locks
          .request('whisper-uploads', { signal: abort.signal }, () => {
            watch();
            return new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve()));
          })
          .catch(() => {
            // Aborted while waiting: nothing to release.
          });
      } else watch();

      return () => {
        abort.abort();
        subscription?.unsubscribe();
        for (const timer of resting.values()) clearTimeout(timer);
      };
    },
  };
}
