import type { FileRow, OutboxItem, WhisperDatabase } from './whisper-db';

/** The `files` table (F2): the bytes and upload state of queued attachments, by outbox message. */
export const filesTable = {
  get: (db: WhisperDatabase, id: string) => db.files.get(id),
  bulkAdd: (db: WhisperDatabase, rows: FileRow[]) => db.files.bulkAdd(rows),
  update: (db: WhisperDatabase, id: string, changes: Partial<FileRow>) => db.files.update(id, changes),
  /** A message's files, in their order in the message. */
  ofMessage: (db: WhisperDatabase, clientId: string) => db.files.where('client_id').equals(clientId).sortBy('index'),
  /** The files of these messages, by message, each message's in order. */
  async byMessage(db: WhisperDatabase, clientIds: string[]): Promise<Map<string, FileRow[]>> {
    const grouped = new Map<string, FileRow[]>();
    if (clientIds.length === 0) return grouped;
    for (const file of await db.files.where('client_id').anyOf(clientIds).sortBy('index')) grouped.set(file.client_id, [...(grouped.get(file.client_id) ?? []), file]);
    return grouped;
  },
  /** Files no outbox row names (their message was acked and then dropped from the cache: A4). */
  deleteOrphans: async (db: WhisperDatabase, keep: Set<string>) => db.files.filter((file) => !keep.has(file.client_id)).delete(),
  /** Files still to upload (not done, not refused), oldest message first. */
  unfinished: (db: WhisperDatabase) => db.files.where('state').anyOf('queued', 'uploading').sortBy('client_id'),
  /** Files fully uploaded (their messages may go out now). */
  countDone: (db: WhisperDatabase) => db.files.where('state').equals('done').count(),
  deleteOfMessages: (db: WhisperDatabase, clientIds: string[]) => db.files.where('client_id').anyOf(clientIds).delete(),
  /** C6 Retry: refused files start again from nothing (a new upload). */
  restartOfMessage: (db: WhisperDatabase, clientId: string) =>
    db.files
      .where('client_id')
      .equals(clientId)
      .filter((row) => row.state === 'refused')
      .modify({ state: 'queued', upload_url: null, upload_id: null, upload_offset: 0 }),
  clear: (db: WhisperDatabase) => db.files.clear(),
};

/** Whether every file of a message is on the server (F3: only then is it sent). */
const allUploaded = (files: FileRow[], expected: number) => files.length >= expected && files.every((row) => row.state === 'done' && row.upload_id !== null);

/** F3: the row as its frame names its files (upload ids), or null while any of them is not fully uploaded. */
export function withUploadIds(row: OutboxItem, files: Map<string, FileRow[]>): OutboxItem | null {
  const attachments = row.attachments ?? [];
  if (attachments.length === 0) return row;
  const rows = files.get(row.client_id) ?? [];
  if (!allUploaded(rows, attachments.length)) return null;
  const uploadIds = new Map(rows.map((file) => [file.id, file.upload_id]));
  return { ...row, attachments: attachments.map((file) => ({ ...file, upload_id: uploadIds.get(file.file_id) ?? '' })) };
}
