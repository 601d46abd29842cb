import { filesTable } from '../db/files.table';
import type { FileRow, WhisperDatabase } from '../db/whisper-db';

/**
 * F2: a small tus 1.0 client over fetch (tus-js-client needs XMLHttpRequest,
 * which module workers lack). It creates a file's upload once and keeps its
 * URL in the file's row, then PATCHes chunks, writing the offset after each;
 * after a cut or a reload it asks the server (HEAD) how much it has and goes
 * on from there, never from zero once the server has bytes.
 */

/** Bytes per PATCH: small enough that a cut loses little, large enough to keep requests few. */
export const UPLOAD_CHUNK_SIZE = 512 * 1024;
export const TUS_VERSION = '1.0.0';

export interface TusOptions {
  /** `<origin>/v1/uploads` */
  endpoint: string;
  /** The identity's bearer token. */
  token: string;
  fetch?: typeof fetch;
  chunkSize?: number;
  signal?: AbortSignal;
  /** The server refused the file (413, 415): its words, for the message's failure. */
  onRefused(file: FileRow, message: string): Promise<void>;
}

/** done: every byte is on the server; refused: the server said no; gone: the message was deleted meanwhile. */
export type UploadOutcome = 'done' | 'refused' | 'gone';

/** A response the upload cannot go on from now (network, 5xx, 401, 429): the caller tries again later. */
export class UploadInterrupted extends Error {}

const REFUSALS = new Set([413, 415]);

function base64Of(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs. */
export function uploadMetadata(file: FileRow): string {
  const pairs: [string, string][] = [
    ['filename', file.name],
    ['filetype', file.mime],
  ];
  if (file.kind === 'audio' && file.waveform) pairs.push(['waveform', file.waveform]);
  if (file.kind === 'audio' && file.duration_ms !== null) pairs.push(['duration_ms', String(Math.round(file.duration_ms))]);
  return pairs.map(([key, value]) => `${key} ${base64Of(value)}`).join(',');
}

async function reasonOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // Not JSON: a generic reason below.
  }
  return response.status === 413 ? 'This file is too large.' : 'This type of file cannot be sent.';
}

function offsetOf(response: Response): number {
  const offset = Number(response.headers.get('Upload-Offset'));
  if (!Number.isInteger(offset) || offset < 0) throw new UploadInterrupted('no Upload-Offset in the answer');
  return offset;
}

/** Uploads one file (its row in `files`) to the end, from wherever the server is. */
export async function uploadFile(db: WhisperDatabase, fileId: string, options: TusOptions): Promise<UploadOutcome> {
  const request = options.fetch ?? fetch;
  const chunkSize = options.chunkSize ?? UPLOAD_CHUNK_SIZE;
  const headers = (more: Record<string, string>) => ({ Authorization: `Bearer ${options.token}`, 'Tus-Resumable': TUS_VERSION, ...more });
  const call = async (url: string, init: RequestInit) => {
    try {
      return await request(url, { ...init, signal: options.signal });
    } catch (error) {
      throw new UploadInterrupted(error instanceof Error ? error.message : String(error));
    }
  };
  // Refused, or deleted meanwhile (Cancel, Delete): nothing more to do.
  const current = async () => {
    const row = await filesTable.get(db, fileId);
    return row && row.state !== 'refused' ? row : undefined;
  };
  const refuse = async (file: FileRow, response: Response): Promise<UploadOutcome> => {
    await options.onRefused(file, await reasonOf(response));
    return 'refused';
  };

  let file = await current();
  if (!file) return 'gone';
  if (file.state === 'done') return 'done';

  let offset = file.upload_offset;
  if (file.upload_url !== null) {
    // Resuming: the server's offset is the truth (the row may lag by a chunk).
    const head = await call(file.upload_url, { method: 'HEAD', headers: headers({}) });
    if (REFUSALS.has(head.status)) return refuse(file, head);
    if (head.status === 404 || head.status === 410) {
      // Expired or lost on the server: start a new upload.
      await filesTable.update(db, fileId, { upload_url: null, upload_id: null, upload_offset: 0, state: 'queued' });
      file = { ...file, upload_url: null, upload_id: null, upload_offset: 0 };
      offset = 0;
    } else if (head.ok) {
      offset = offsetOf(head);
      await filesTable.update(db, fileId, { upload_offset: offset });
    } else throw new UploadInterrupted(`HEAD answered ${head.status}`);
  }
  if (file.upload_url === null) {
    const created = await call(options.endpoint, { method: 'POST', headers: headers({ 'Upload-Length': String(file.size), 'Upload-Metadata': uploadMetadata(file) }) });
    if (REFUSALS.has(created.status)) return refuse(file, created);
    const location = created.headers.get('Location');
    if (created.status !== 201 || !location) throw new UploadInterrupted(`creation answered ${created.status}`);
    const url = new URL(location, options.endpoint).href;
    const uploadId = new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
    offset = 0;
    file = { ...file, upload_url: url, upload_id: uploadId, upload_offset: 0, state: 'uploading' };
    if (!(await current())) return 'gone';
    await filesTable.update(db, fileId, { upload_url: url, upload_id: uploadId, upload_offset: 0, state: 'uploading' });
  }
  const url = file.upload_url!;

  // Done only on a PATCH answered at the full length: that answer comes
  // after the server has processed the file. When the server already has
  // every byte (the answer to the last PATCH was lost) an empty PATCH at the
  // end asks how it ended, as the file may yet be refused.
  let finished = false;
  while (!finished) {
    const chunk = file.blob.slice(offset, Math.min(file.size, offset + chunkSize));
    const patched = await call(url, {
      method: 'PATCH',
      headers: headers({ 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) }),
      body: chunk,
    });
    if (REFUSALS.has(patched.status)) return refuse(file, patched);
    if (patched.status === 409) {
      // Our offset was not the server's (another tab, a lost answer): ask again.
      const head = await call(url, { method: 'HEAD', headers: headers({}) });
      if (REFUSALS.has(head.status)) return refuse(file, head);
      if (!head.ok) throw new UploadInterrupted(`HEAD answered ${head.status}`);
      offset = offsetOf(head);
    } else if (patched.status === 204 || patched.ok) {
      offset = offsetOf(patched);
      finished = offset >= file.size;
    } else throw new UploadInterrupted(`PATCH answered ${patched.status}`);
    if (!(await current())) return 'gone';
    await filesTable.update(db, fileId, { upload_offset: offset });
  }
  if (!(await current())) return 'gone';
  await filesTable.update(db, fileId, { upload_offset: file.size, state: 'done' });
  return 'done';
}
