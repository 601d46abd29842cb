// @vitest-environment node
// Node's Blob survives fake-indexeddb's structured clone (jsdom's does not), as a real browser's does.
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { WhisperDatabase } from '../db/whisper-db';
import { createHarness, elapse, messagesSent, settle, settleUntil, setUpHarnesses, GENERAL as ROOM } from './connection.harness';
import { createUploadQueue, UPLOAD_RETRY_MS } from './uploads';
import { createFakeTus } from './uploads.fixture';

setUpHarnesses();

const png = (bytes: number) => ({ blob: new Blob([new Uint8Array(bytes).fill(1)], { type: 'image/png' }), name: 'a.png', mime: 'image/png', kind: 'image' as const, width: 2, height: 1 });

async function harnessWithUploads() {
  // The uploads carry the identity's token: the one the harness's hello hands out.
  const tus = createFakeTus('https://chat.test', 'token-1');
  const db = new WhisperDatabase(`machine-uploads-${ulid()}`);
  const h = await createHarness({ db, uploads: createUploadQueue({ db, origin: tus.origin, fetch: tus.fetch, chunkSize: 4 }) });
  return { h, tus, db };
}

describe('uploads in the connection machine', () => {
  it('[F2][F3][C4] queued offline, a file uploads once live; its message is sent only then, in its place, before what was queued after it', async () => {
    const { h, tus } = await harnessWithUploads();
    const withFile = await h.store.enqueueWithFiles(ROOM, 'caption', [png(10)]);
    const after = await h.store.enqueue(ROOM, 'after');
    // The upload server is unreachable at first: nothing may be sent.
    tus.state.offline = true;
    await h.goLive();
    await settle();
    expect(messagesSent(h.latest())).toEqual([]);
    expect(tus.requests.map((r) => r.method)).toEqual(['POST']);

    tus.state.offline = false;
    await elapse(UPLOAD_RETRY_MS);
    await settleUntil(() => messagesSent(h.latest()).length === 2, 'both messages sent');
    const sent = messagesSent(h.latest());
    expect(sent.map((m) => m.client_id)).toEqual([withFile.client_id, after.client_id]);
    expect(sent[0]).toMatchObject({ content: 'caption', attachments: [{ upload_id: 'up1' }] });
    expect(tus.requests.filter((r) => r.method === 'PATCH').map((r) => Number(r.headers['upload-offset']))).toEqual([0, 4, 8]);
  });

  it('[F2][C6] a 415 on the final PATCH fails the message with the server\'s words; what was queued after it goes out', async () => {
    const { h, tus } = await harnessWithUploads();
    const withFile = await h.store.enqueueWithFiles(ROOM, '', [png(6)]);
    const after = await h.store.enqueue(ROOM, 'after');
    tus.state.refuseFinal = true;
    await h.goLive();
    await settleUntil(() => messagesSent(h.latest()).length === 1, 'the next message sent');
    expect(messagesSent(h.latest()).map((m) => m.client_id)).toEqual([after.client_id]);
    expect(await h.db.outbox.get(withFile.client_id)).toMatchObject({ status: 'failed', error_code: 'upload_refused', error_message: 'Only images and audio can be sent.' });
    // Never retried by itself.
    await elapse(UPLOAD_RETRY_MS * 2);
    expect(tus.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});
