import { filesTable } from '../db/files.table';
import { metaTable } from '../db/meta.table';
import { outboxTable } from '../db/outbox.table';
import type { FileRow, OutboxAttachment, OutboxItem, WhisperDatabase } from '../db/whisper-db';
import { pendingItem, type ReplyDraft } from './outbox-store';

/** A file as the page hands it over (F2): the bytes and what the page measured of them. */
export interface NewFile {
  blob: Blob;
  name: string;
  mime: string;
  kind: 'image' | 'audio';
  width?: number | null;
  height?: number | null;
  duration_ms?: number | null;
  /** Base64 of at most 64 levels (voice notes). */
  waveform?: string | null;
}

/**
 * F2, C1: messages with files. The message row and its files are written
 * in ONE transaction, so a reload never finds one without the other; the
 * files upload later (uploads.ts), and the message is sent once they are all
 * on the server (planFlush).
 */
export function createOutboxFilesStore(db: WhisperDatabase, nextClientId: () => string) {
  return {
    async enqueueWithFiles(roomId: string, content: string, files: NewFile[], reply?: ReplyDraft): Promise<OutboxItem> {
      return db.transaction('rw', db.outbox, db.meta, db.files, async () => {
        const clientId = nextClientId();
        const rows: FileRow[] = files.map((file, index) => ({
          id: nextClientId(),
          client_id: clientId,
          index,
          blob: file.blob,
          name: file.name,
          mime: file.mime,
          size: file.blob.size,
          kind: file.kind,
          width: file.width ?? null,
          height: file.height ?? null,
          duration_ms: file.duration_ms ?? null,
          waveform: file.waveform ?? null,
          upload_url: null,
          upload_offset: 0,
          upload_id: null,
          state: 'queued',
        }));
        const attachments: OutboxAttachment[] = rows.map(({ id, kind, name, mime, size, width, height, duration_ms, waveform }) => ({ file_id: id, kind, name, mime, size, width, height, duration_ms, waveform }));
        const item: OutboxItem = { ...pendingItem(clientId, roomId, content, new Date().toISOString(), (await metaTable.myUserId(db)) ?? null), ...reply, attachments };
        await outboxTable.add(db, item);
        await filesTable.bulkAdd(db, rows);
        return item;
      });
    },

    /**
     * F2, C6: the upload server refused a file (413 too large or over quota,
     * 415 a type it does not take): the message fails with the server's
     * words, and is never retried by itself (Retry uploads again).
     */
    async refuseUpload(fileId: string, message: string): Promise<void> {
      await db.transaction('rw', db.outbox, db.files, async () => {
        const file = await filesTable.get(db, fileId);
        if (!file) return;
        await filesTable.update(db, fileId, { state: 'refused' });
        await outboxTable.update(db, file.client_id, { status: 'failed', error_code: 'upload_refused', error_message: message });
      });
    },
  };
}
