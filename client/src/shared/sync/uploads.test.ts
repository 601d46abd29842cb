// @vitest-environment node
// Node's Blob survives fake-indexeddb's structured clone (jsdom's does not), as a real browser's does.
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filesTable } from '../db/files.table';
import { outboxTable } from '../db/outbox.table';
import { WhisperDatabase, type CachedMessage } from '../db/whisper-db';
import { createChatStore, type ChatStore } from './chat-store';
import { toFrames } from './outbox-frames';
import type { TimelineItem } from './timeline';
import { readTimeline } from './use-room-timeline';
import { uploadFile, type TusOptions } from './tus-upload';
import { createFakeTus } from './uploads.fixture';

const ME = '11111111-1111-4111-8111-111111111111';
const ROOM = 'general';

let name: string;
let db: WhisperDatabase;
let store: ChatStore;
let tus: ReturnType<typeof createFakeTus>;

beforeEach(async () => {
  name = `uploads-test-${ulid()}`;
  db = new WhisperDatabase(name);
  store = createChatStore(db);
  await store.setIdentity({ user_id: ME, token: 't' });
  tus = createFakeTus();
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const image = (bytes: number, name = 'cat.png') => ({ blob: new Blob([new Uint8Array(bytes).fill(7)], { type: 'image/png' }), name, mime: 'image/png', kind: 'image' as const, width: 40, height: 30 });

function options(chunkSize = 4): TusOptions {
  return {
    endpoint: `${tus.origin}/v1/uploads`,
    token: 't',
    fetch: tus.fetch,
    chunkSize,
    onRefused: (file, message) => store.refuseUpload(file.id, message),
  };
}

async function uploadAll(clientId: string, chunkSize = 4) {
  const files = await filesTable.ofMessage(db, clientId);
  return Promise.all(files.map((file) => uploadFile(db, file.id, options(chunkSize))));
}

const plan = () => store.planFlush('s1', ME, Date.now(), 10_000, 5);
const patchOffsets = () => tus.requests.filter((r) => r.method === 'PATCH').map((r) => Number(r.headers['upload-offset']));

describe('file uploads', () => {
  it('[F2][C1] an attachment queued offline survives a reopen of the database and uploads later', async () => {
    const item = await store.enqueueWithFiles(ROOM, 'look', [image(10), image(6, 'dog.png')]);
    expect(item.attachments).toHaveLength(2);
    db.close();

    // A reload: the same database opened afresh.
    db = new WhisperDatabase(name);
    store = createChatStore(db);
    const row = await outboxTable.get(db, item.client_id);
    expect(row).toMatchObject({ status: 'pending', content: 'look' });
    const files = await filesTable.ofMessage(db, item.client_id);
    expect(files.map((file) => [file.name, file.size, file.state])).toEqual([
      ['cat.png', 10, 'queued'],
      ['dog.png', 6, 'queued'],
    ]);
    expect(files[0].blob.size).toBe(10);

    expect(await uploadAll(item.client_id)).toEqual(['done', 'done']);
    expect([...tus.uploads.values()].map((upload) => upload.received)).toEqual([10, 6]);
    const { items } = await plan();
    const frames = toFrames(items);
    expect(frames).toEqual([{ type: 'messages', data: [{ client_id: item.client_id, room_id: ROOM, content: 'look', attachments: [{ upload_id: 'up1' }, { upload_id: 'up2' }] }] }]);
  });

  it('[F2] resume after a cut continues from the server\'s offset (HEAD), not from zero', async () => {
    const item = await store.enqueueWithFiles(ROOM, '', [image(10)]);
    tus.state.cutNextPatch = false;
    // The second chunk reaches the server, but its answer is lost.
    let patches = 0;
    const cutting: typeof fetch = async (input, init) => {
      if (init?.method === 'PATCH' && ++patches === 2) tus.state.cutNextPatch = true;
      return tus.fetch(input, init);
    };
    const [file] = await filesTable.ofMessage(db, item.client_id);
    await expect(uploadFile(db, file.id, { ...options(), fetch: cutting })).rejects.toThrow('network connection lost');
    // The row knows of 4 bytes; the server has 8.
    expect(await filesTable.get(db, file.id)).toMatchObject({ upload_offset: 4, state: 'uploading', upload_id: 'up1' });

    expect(await uploadFile(db, file.id, options())).toBe('done');
    expect(tus.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(tus.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'HEAD', 'PATCH']);
    expect(patchOffsets()).toEqual([0, 4, 8]);
    expect(tus.uploads.get('up1')).toMatchObject({ received: 10, length: 10 });
    expect(await filesTable.get(db, file.id)).toMatchObject({ upload_offset: 10, state: 'done' });
  });

  it('[F2] a lost answer to the last PATCH: an empty PATCH at the end asks how it ended, so a refusal is not counted as done', async () => {
    const item = await store.enqueueWithFiles(ROOM, '', [image(8)]);
    const [file] = await filesTable.ofMessage(db, item.client_id);
    // Every byte lands; the answer to the last PATCH is lost.
    let patches = 0;
    const cutting: typeof fetch = async (input, init) => {
      if (init?.method === 'PATCH' && ++patches === 2) tus.state.cutNextPatch = true;
      return tus.fetch(input, init);
    };
    await expect(uploadFile(db, file.id, { ...options(), fetch: cutting })).rejects.toThrow('network connection lost');
    // The server then refused the file.
    tus.state.refuseFinal = true;
    expect(await uploadFile(db, file.id, options())).toBe('refused');
    expect(tus.requests.slice(-2).map((r) => [r.method, r.headers['upload-offset'], r.size])).toEqual([
      ['HEAD', undefined, 0],
      ['PATCH', '8', 0],
    ]);
    expect(await outboxTable.get(db, item.client_id)).toMatchObject({ status: 'failed', error_message: 'Only images and audio can be sent.' });

    // Processed instead: the same question is answered 204, and only then is it done.
    const other = await store.enqueueWithFiles(ROOM, '', [image(8, 'dog.png')]);
    const [second] = await filesTable.ofMessage(db, other.client_id);
    tus.state.refuseFinal = false;
    patches = 0;
    await expect(uploadFile(db, second.id, { ...options(), fetch: cutting })).rejects.toThrow('network connection lost');
    expect(await filesTable.get(db, second.id)).toMatchObject({ state: 'uploading' });
    expect(await uploadFile(db, second.id, options())).toBe('done');
    expect(tus.requests.at(-1)).toMatchObject({ method: 'PATCH', size: 0 });
  });

  it('[F3][C4] a message with attachments is flushed only after its uploads complete, in its place; one queued after it waits', async () => {
    const withFile = await store.enqueueWithFiles(ROOM, 'first', [image(5)]);
    const after = await store.enqueue(ROOM, 'second');
    expect((await plan()).items).toEqual([]);

    await uploadAll(withFile.client_id);
    const { items } = await plan();
    expect(items.map((i) => i.client_id)).toEqual([withFile.client_id, after.client_id]);
    expect(items[0].attachments?.map((a) => a.upload_id)).toEqual(['up1']);
    // The stored row does not keep the planned upload ids.
    await store.markSending(items);
    expect((await outboxTable.get(db, withFile.client_id))?.attachments?.[0].upload_id).toBeUndefined();

    // The ack folds the message; its files show from this device until the broadcast copy names the stored ones.
    const ids = [ulid(), ulid()];
    await store.applyAck({ type: 'message_ids', status: 'success', message_ids: ids, client_ids: items.map((i) => i.client_id), seqs: [1, 2] });
    expect(await db.outbox.count()).toBe(0);
    const [acked] = (await readTimeline(db, ROOM, 50)).items as TimelineItem[];
    expect(acked).toMatchObject({ id: ids[0], status: 'sent' });
    expect(acked.attachments).toMatchObject([{ mediaId: null, uploading: false, size: 5 }]);
    expect(acked.attachments[0].blob?.size).toBe(5);

    const stored = { id: 'm1', kind: 'image' as const, mime: 'image/png', size: 5, width: 40, height: 30, duration_ms: null, thumbhash: null, waveform: null };
    const broadcast: CachedMessage = { id: ids[0], seq: 1, room_id: ROOM, user_id: ME, client_id: withFile.client_id, content: 'first', created_at: new Date().toISOString(), attachments: [stored] };
    await store.storeMessages([broadcast]);
    expect(await db.files.count()).toBe(0);
    const [copy] = (await readTimeline(db, ROOM, 50)).items as TimelineItem[];
    expect(copy.attachments).toMatchObject([{ mediaId: 'm1', blob: null }]);
  });

  it('[F2][C6] a 415 on the final PATCH marks the message failed with the server\'s words; Retry uploads again; Delete drops the files', async () => {
    const item = await store.enqueueWithFiles(ROOM, 'x', [image(6)]);
    const after = await store.enqueue(ROOM, 'next');
    tus.state.refuseFinal = true;
    expect(await uploadAll(item.client_id)).toEqual(['refused']);
    expect(await outboxTable.get(db, item.client_id)).toMatchObject({ status: 'failed', error_code: 'upload_refused', error_message: 'Only images and audio can be sent.' });
    // Failed rows hold nothing back.
    expect((await plan()).items.map((i) => i.client_id)).toEqual([after.client_id]);

    tus.state.refuseFinal = false;
    await store.retry(item.client_id);
    expect((await filesTable.ofMessage(db, item.client_id))[0]).toMatchObject({ state: 'queued', upload_url: null, upload_offset: 0 });
    expect(await uploadAll(item.client_id)).toEqual(['done']);
    expect(tus.requests.filter((r) => r.method === 'POST')).toHaveLength(2);

    await store.remove(item.client_id);
    expect(await db.files.count()).toBe(0);
  });

  it('[F2] a 413 at creation is a refusal, never retried by itself', async () => {
    const item = await store.enqueueWithFiles(ROOM, '', [image(6)]);
    tus.state.refuseCreate = true;
    expect(await uploadAll(item.client_id)).toEqual(['refused']);
    expect(await outboxTable.get(db, item.client_id)).toMatchObject({ status: 'failed', error_message: 'Files may be up to 25 MB.' });
    expect(await filesTable.unfinished(db)).toEqual([]);
  });

  it('[F2][F6] the timeline shows a queued file at once from its local bytes, with its upload progress', async () => {
    const item = await store.enqueueWithFiles(ROOM, 'pic', [image(10)]);
    const shown = async () => ((await readTimeline(db, ROOM, 50)).items[0] as TimelineItem).attachments;
    expect(await shown()).toMatchObject([{ kind: 'image', width: 40, height: 30, mediaId: null, uploaded: 0, uploading: true, size: 10 }]);
    expect((await shown())[0].blob?.size).toBe(10);
    const [file] = await filesTable.ofMessage(db, item.client_id);
    await filesTable.update(db, file.id, { upload_offset: 4, state: 'uploading' });
    expect(await shown()).toMatchObject([{ uploaded: 4, uploading: true }]);
    await uploadAll(item.client_id);
    expect(await shown()).toMatchObject([{ uploaded: 10, uploading: false }]);
  });

  it('[F3][C5] the broadcast copy (before the ack) replaces the local echo, files included: the stored attachments show, the local files go', async () => {
    const item = await store.enqueueWithFiles(ROOM, 'pic', [image(10)]);
    await uploadAll(item.client_id);
    const stored = { id: 'm1', kind: 'image' as const, mime: 'image/png', size: 10, width: 40, height: 30, duration_ms: null, thumbhash: 'AAAA', waveform: null };
    const copy = { id: ulid(), seq: 1, room_id: ROOM, user_id: ME, client_id: item.client_id, content: 'pic', created_at: new Date().toISOString(), attachments: [stored] };
    await store.storeMessages([copy]);
    expect(await db.files.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
    const [shown] = (await readTimeline(db, ROOM, 50)).items as TimelineItem[];
    expect(shown.attachments).toMatchObject([{ mediaId: 'm1', thumbhash: 'AAAA', width: 40, height: 30, blob: null, uploading: false }]);
  });
});
