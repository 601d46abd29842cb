/**
 * F5, S6: the S3 path against s3rver (a local S3-compatible store, started
 * here on a random port): tus staging in S3 so that any instance can resume
 * any upload, and processed media stored and served from S3.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckFrame } from '../../server/protocol/index.js';
import type { S3Options } from '../../server/media/media-options.js';
import { isAck, item } from '../support/fixtures.js';
import { api } from '../support/rooms-fixtures.js';
import { S3RVER_CREDENTIALS, startS3rver, type LocalS3 } from '../support/s3rver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { makeJpeg, tusCreate, tusHead, tusPatch, upload } from '../support/uploads.js';
import { TestSocket } from '../support/ws-client.js';

let s3: LocalS3;
let s3Options: S3Options;
let first: TestServer;
let second: TestServer;
let alice: TestSocket;
beforeAll(async () => {
  s3 = await startS3rver();
  s3Options = { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS };
  first = await startTestServer({ media: { s3: s3Options } });
  // A second instance on the same database and bucket (S6).
  second = await startTestServer({ db: first.db, media: { s3: s3Options } });
  alice = await TestSocket.connect(first.wsUrl);
});
afterAll(async () => {
  await alice.close();
  await second.close();
  await first.close();
  await s3.close();
});

async function keys(prefix: string): Promise<string[]> {
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key!);
}

const mediaOf = async (uploadId: string) =>
  (await first.db.pool.query<{ media_id: string }>('SELECT media_id FROM uploads WHERE id = $1', [uploadId])).rows[0]?.media_id ?? null;

describe('files on S3 (s3rver)', () => {
  it('[F5][F2][S6] an upload started on one instance resumes on another, and is served from S3 by either', async () => {
    const token = alice.hello.token;
    const bytes = await makeJpeg(120, 90, 21);
    const half = Math.floor(bytes.length / 2);
    const created = await tusCreate(first.baseUrl, token, bytes.length, { filename: 'beach.jpg' });
    expect(created.status).toBe(201);
    const id = created.uploadId!;
    expect((await tusPatch(first.baseUrl, token, id, 0, bytes.subarray(0, half))).status).toBe(204);
    // Staged in the bucket, not on the first instance's disk.
    expect((await keys(id)).length).toBeGreaterThan(0);

    const head = await tusHead(second.baseUrl, token, id);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(half));
    const rest = await tusPatch(second.baseUrl, token, id, half, bytes.subarray(half));
    expect(rest.status).toBe(204);
    const mediaId = (await mediaOf(id))!;
    expect(mediaId).toBeTruthy();
    // Processed: nothing of it stays staged.
    expect(await keys(id)).toEqual([]);
    // The photo and its thumbnail, in S3.
    expect((await keys('media/')).length).toBe(2);

    alice.send({ type: 'messages', data: [item('from the beach', { attachments: [{ upload_id: id }] })] });
    const ack = await alice.next<AckFrame>(isAck);
    expect(ack.message_ids).toHaveLength(1);

    for (const server of [first, second]) {
      const response = await fetch(`${server.baseUrl}/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      const served = Buffer.from(await response.arrayBuffer());
      expect((await sharp(served).metadata()).width).toBe(120);
    }
    const { body } = await api(second.baseUrl, token, 'GET', `/v1/media/${mediaId}/url`);
    expect((await fetch(`${first.baseUrl}${(body as { url: string }).url}&variant=thumb`)).status).toBe(200);
  });

  it('[F5][F2][F4] on S3 too: the same bytes are stored once, and refused bytes leave nothing behind', async () => {
    const before = (await keys('media/')).length;
    const bytes = await makeJpeg(50, 50, 22);
    const a = await upload(first.baseUrl, alice.hello.token, bytes);
    const b = await upload(second.baseUrl, alice.hello.token, bytes);
    expect(await mediaOf(a.uploadId)).toBe(await mediaOf(b.uploadId));
    expect((await keys('media/')).length - before).toBe(2);

    const html = await upload(first.baseUrl, alice.hello.token, Buffer.from('<html><script>alert(1)</script></html>'), { filename: 'a.jpg' });
    expect(html.finish.status).toBe(415);
    expect(await keys(html.uploadId)).toEqual([]);
  });
});
