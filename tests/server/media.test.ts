/**
 * Files, server side (F1–F5, M3, R4): tus uploads that resume, content-hash
 * dedup, typing by magic bytes, metadata stripped, attachments on messages
 * through ack, broadcast and history, media served only to those who may
 * see them, limits, and the cleanup sweep. Real PostgreSQL, file storage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckFrame, ChatMessage, RejectedFrame } from '../../server/protocol/index.js';
import { isAck, isMessages, item } from '../support/fixtures.js';
import { api, createRoom } from '../support/rooms-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { makeJpeg, makeWav, tusCreate, tusHead, tusPatch, upload } from '../support/uploads.js';
import { TestSocket } from '../support/ws-client.js';

const MAX_UPLOAD_BYTES = 200_000;
const QUOTA_BYTES = 1_000_000;
const SIGNED_URL_TTL_MS = 1_000;

let server: TestServer;
let dataDir: string;
let owner: TestSocket;
let member: TestSocket;
let stranger: TestSocket;
let group: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-media-test-'));
  server = await startTestServer({ media: { dataDir, maxUploadBytes: MAX_UPLOAD_BYTES, userQuotaBytes: QUOTA_BYTES, signedUrlTtlMs: SIGNED_URL_TTL_MS } });
  [owner, member, stranger] = await Promise.all([TestSocket.connect(server.wsUrl), TestSocket.connect(server.wsUrl), TestSocket.connect(server.wsUrl)]);
  group = await createRoom(owner, { name: 'Photos', userIds: [member.userId] });
});
afterAll(async () => {
  await Promise.all([owner, member, stranger].map((socket) => socket.close()));
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const mediaOf = async (uploadId: string): Promise<string | null> =>
  (await server.db.pool.query<{ media_id: string | null }>('SELECT media_id FROM uploads WHERE id = $1', [uploadId])).rows[0]?.media_id ?? null;

/** Every stored object under DATA_DIR/media. */
const storedObjects = () => fs.readdirSync(path.join(dataDir, 'media'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());

async function fetchMedia(mediaId: string, token: string | undefined, query = '', headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}/v1/media/${mediaId}${query}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Sends one item over a socket and waits for its ack or rejection. */
async function send(socket: TestSocket, message: Record<string, unknown>): Promise<AckFrame | RejectedFrame> {
  socket.send({ type: 'messages', data: [message] });
  return socket.next<AckFrame | RejectedFrame>((f) => isAck(f) || f.type === 'rejected');
}

describe('uploads (tus)', () => {
  it('[F2] an upload cut midway resumes: HEAD shows the offset, the rest completes it', async () => {
    const bytes = await makeJpeg(80, 60, 2);
    const half = Math.floor(bytes.length / 2);
    const token = owner.hello.token;
    const created = await tusCreate(server.baseUrl, token, bytes.length, { filename: 'cat.jpg', filetype: 'image/jpeg' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/uploads/${created.uploadId}`);
    expect(created.uploadId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const id = created.uploadId!;
    expect((await tusPatch(server.baseUrl, token, id, 0, bytes.subarray(0, half))).status).toBe(204);
    const head = await tusHead(server.baseUrl, token, id);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(half));
    expect(head.headers.get('tus-resumable')).toBe('1.0.0');
    // A stale offset is refused without touching the upload.
    expect((await tusPatch(server.baseUrl, token, id, 0, bytes.subarray(0, half))).status).toBe(409);
    const rest = await tusPatch(server.baseUrl, token, id, half, bytes.subarray(half));
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-offset')).toBe(String(bytes.length));
    expect(await mediaOf(id)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('[F2][R4] every tus request needs the bearer token, and an upload is only its uploader\'s', async () => {
    expect((await tusCreate(server.baseUrl, undefined, 10)).status).toBe(401);
    const created = await tusCreate(server.baseUrl, owner.hello.token, 10);
    const id = created.uploadId!;
    expect((await tusHead(server.baseUrl, undefined, id)).status).toBe(401);
    const theirs = await tusHead(server.baseUrl, stranger.hello.token, id);
    const missing = await tusHead(server.baseUrl, stranger.hello.token, ulid());
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    const patch = await tusPatch(server.baseUrl, stranger.hello.token, id, 0, Buffer.alloc(10));
    expect(patch.status).toBe(404);
    expect(patch.json).toMatchObject({ code: 'not_found' });
  });

  it('[F2] the same bytes uploaded twice: one media row, one stored object', async () => {
    const bytes = await makeJpeg(70, 50, 3);
    const before = storedObjects().length;
    const first = await upload(server.baseUrl, owner.hello.token, bytes);
    const second = await upload(server.baseUrl, member.hello.token, bytes);
    expect([first.finish.status, second.finish.status]).toEqual([204, 204]);
    const mediaId = await mediaOf(first.uploadId);
    expect(await mediaOf(second.uploadId)).toBe(mediaId);
    const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM media WHERE id = $1', [mediaId]);
    expect(rows[0].n).toBe(1);
    // The photo and its thumbnail, once.
    expect(storedObjects().length - before).toBe(2);
    // Staged bytes are gone once processed.
    expect(fs.readdirSync(path.join(dataDir, 'uploads')).filter((file) => file.startsWith(first.uploadId))).toEqual([]);
  });

  it('[F2] after it has ended, HEAD shows the whole length and an empty PATCH at the end answers how it ended (for a lost last answer)', async () => {
    const token = owner.hello.token;
    const photo = await makeJpeg(60, 40, 9);
    const done = await upload(server.baseUrl, token, photo);
    expect(done.finish.status).toBe(204);
    const head = await tusHead(server.baseUrl, token, done.uploadId);
    expect(head.status).toBe(200);
    expect([head.headers.get('upload-offset'), head.headers.get('upload-length')]).toEqual([String(photo.length), String(photo.length)]);
    const asked = await tusPatch(server.baseUrl, token, done.uploadId, photo.length, Buffer.alloc(0));
    expect(asked.status).toBe(204);
    expect(asked.headers.get('upload-offset')).toBe(String(photo.length));
    expect((await tusPatch(server.baseUrl, token, done.uploadId, 0, photo)).status).toBe(409);

    const html = Buffer.from('<!doctype html><p>not a photo</p>');
    const refused = await upload(server.baseUrl, token, html, { filename: 'x.jpg' });
    expect(refused.finish.status).toBe(415);
    expect((await tusHead(server.baseUrl, token, refused.uploadId)).status).toBe(415);
    const again = await tusPatch(server.baseUrl, token, refused.uploadId, html.length, Buffer.alloc(0));
    expect(again.status).toBe(415);
    expect(again.json).toMatchObject({ code: 'unsupported_media', message: refused.finish.json?.message });
    // Still only the uploader's.
    expect((await tusHead(server.baseUrl, stranger.hello.token, done.uploadId)).status).toBe(404);
  });

  it('[F1][F4] the type comes from the bytes: HTML named .jpg and an SVG with a script are refused (415), their bytes dropped', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="5"/></svg>');
    for (const [bytes, filename] of [[html, 'cute-cat.jpg'], [svg, 'logo.svg']] as const) {
      const { uploadId, finish } = await upload(server.baseUrl, owner.hello.token, bytes, { filename, filetype: 'image/jpeg' });
      expect(finish.status).toBe(415);
      expect(finish.headers.get('content-type')).toContain('application/json');
      expect(finish.json).toMatchObject({ type: 'error', code: 'unsupported_media' });
      expect(String(finish.json?.message)).toMatch(/only photos .* and voice notes/);
      expect(await mediaOf(uploadId)).toBeNull();
      expect(fs.readdirSync(path.join(dataDir, 'uploads')).filter((file) => file.startsWith(uploadId))).toEqual([]);
      // It cannot be attached either.
      const answer = await send(owner, item('look', { room_id: group, attachments: [{ upload_id: uploadId }] }));
      expect(answer).toMatchObject({ type: 'rejected', code: 'invalid_attachment' });
    }
  });

  it('[F1][F4] a polyglot (a real JPEG with HTML appended) is accepted as an image, and the served bytes carry no HTML', async () => {
    const polyglot = Buffer.concat([await makeJpeg(40, 40, 4), Buffer.from('<html><script>alert("polyglot")</script></html>')]);
    const { uploadId, finish } = await upload(server.baseUrl, owner.hello.token, polyglot, { filename: 'x.html' });
    expect(finish.status).toBe(204);
    const served = await fetchMedia((await mediaOf(uploadId))!, owner.hello.token);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.bytes.includes('<script')).toBe(false);
    expect(served.bytes.includes('<html')).toBe(false);
    expect((await sharp(served.bytes).metadata()).format).toBe('jpeg');
  });

  it('[F4] EXIF with a GPS position is gone from the served photo', async () => {
    const withGps = await sharp(await makeJpeg(60, 40, 5))
      .withExif({
        IFD0: { Make: 'Spyphone', Model: 'X1', Copyright: 'secret-owner' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
      })
      .jpeg()
      .toBuffer();
    expect((await sharp(withGps).metadata()).exif).toBeDefined();
    expect(withGps.includes('Exif')).toBe(true);
    const { uploadId, finish } = await upload(server.baseUrl, owner.hello.token, withGps);
    expect(finish.status).toBe(204);
    const served = await fetchMedia((await mediaOf(uploadId))!, owner.hello.token);
    const meta = await sharp(served.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(served.bytes.includes('Exif')).toBe(false);
    expect(served.bytes.includes('Spyphone')).toBe(false);
    expect(meta.width).toBe(60);
  });

  it('[F4] limits: Upload-Length over the per-file limit is 413 at creation, and so is going past the quota', async () => {
    const tooBig = await tusCreate(server.baseUrl, owner.hello.token, MAX_UPLOAD_BYTES + 1);
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toMatchObject({ type: 'error', code: 'too_large' });
    expect(tooBig.headers.get('location')).toBeNull();
    // A fresh user: five files at the limit fill the quota; the sixth is refused.
    const filler = await TestSocket.connect(server.wsUrl);
    for (let i = 0; i < QUOTA_BYTES / MAX_UPLOAD_BYTES; i++) expect((await tusCreate(server.baseUrl, filler.hello.token, MAX_UPLOAD_BYTES)).status).toBe(201);
    const over = await tusCreate(server.baseUrl, filler.hello.token, 1);
    expect(over.status).toBe(413);
    expect(over.json).toMatchObject({ code: 'too_large' });
    expect(String(over.json?.message)).toMatch(/storage/);
    await filler.close();
  });
});

describe('attachments on messages', () => {
  it('[F3][P3][P4][P5] a message with a photo and a voice note: ack, broadcast and history carry the attachments in order', async () => {
    const photo = await upload(server.baseUrl, owner.hello.token, await makeJpeg(90, 30, 6));
    const waveform = Buffer.from([0, 64, 128, 255, 12]).toString('base64');
    const voice = await upload(server.baseUrl, owner.hello.token, makeWav(1500), { filename: 'note.wav', waveform, duration_ms: '99999' });
    expect([photo.finish.status, voice.finish.status]).toEqual([204, 204]);
    const message = item('', { room_id: group, attachments: [{ upload_id: voice.uploadId }, { upload_id: photo.uploadId }] });
    const ack = await send(owner, message);
    expect(ack.type).toBe('message_ids');
    const id = (ack as AckFrame).message_ids[0];

    const broadcast = await member.next((f) => isMessages(f) && f.data.some((m) => m.id === id));
    const live = (broadcast as { data: ChatMessage[] }).data.find((m) => m.id === id)!;
    const expected = [
      { id: await mediaOf(voice.uploadId), kind: 'audio', mime: 'audio/wav', width: null, height: null, duration_ms: 1500, thumbhash: null, waveform },
      { id: await mediaOf(photo.uploadId), kind: 'image', mime: 'image/jpeg', width: 90, height: 30, duration_ms: null, waveform: null },
    ];
    expect(live.content).toBe('');
    expect(live.attachments).toMatchObject(expected);
    expect(live.attachments![1].thumbhash).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(live.attachments![0].size).toBeGreaterThan(0);

    const history = await api(server.baseUrl, member.hello.token, 'GET', `/v1/chat/messages?room_id=${group}`);
    const stored = (history.body.data as ChatMessage[]).find((m) => m.id === id)!;
    expect(stored.attachments).toEqual(live.attachments);

    // S3: the same item again stores nothing new, its attachments once.
    const again = await send(owner, message);
    expect((again as AckFrame).message_ids).toEqual([id]);
    const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM message_attachments WHERE message_id = $1', [id]);
    expect(rows[0].n).toBe(2);

    // Catch-up (P6) reads the same.
    const late = await TestSocket.connect(server.wsUrl, member.hello.token);
    late.send({ type: 'sync', rooms: [{ room_id: group, after_seq: 0 }] });
    const caught = await late.next((f) => isMessages(f) && f.data.some((m) => m.id === id));
    expect((caught as { data: ChatMessage[] }).data.find((m) => m.id === id)!.attachments).toEqual(live.attachments);
    await late.close();
  });

  it('[F3][P7][P10] someone else\'s upload, an unfinished one, or a made-up id is refused with invalid_attachment; the rest of the batch goes on', async () => {
    const others = await upload(server.baseUrl, member.hello.token, await makeJpeg(20, 20, 7));
    const unfinished = await tusCreate(server.baseUrl, owner.hello.token, 100);
    for (const uploadId of [others.uploadId, unfinished.uploadId!, ulid()]) {
      const answer = await send(owner, item('mine?', { room_id: group, attachments: [{ upload_id: uploadId }] }));
      expect(answer).toMatchObject({ type: 'rejected', code: 'invalid_attachment' });
      expect((answer as RejectedFrame).message).toMatch(/not a finished upload of yours/);
    }
    const rest = await api(server.baseUrl, owner.hello.token, 'POST', '/v1/chat/messages', {
      data: [item('bad', { room_id: group, attachments: [{ upload_id: others.uploadId }] }), item('fine', { room_id: group })],
    });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ message_ids: [expect.any(String)], rejected: [{ code: 'invalid_attachment' }] });
    const onlyBad = await api(server.baseUrl, owner.hello.token, 'POST', '/v1/chat/messages', { data: [item('bad', { attachments: [{ upload_id: 'nope' }] })] });
    expect(onlyBad.status).toBe(422);
    expect(onlyBad.body).toMatchObject({ rejected: [{ code: 'invalid_attachment' }] });
    // Without attachments the old rules stay: empty content is refused.
    expect(await send(owner, item('  ', { room_id: group }))).toMatchObject({ type: 'rejected', code: 'invalid_content' });
    // Eleven is too many.
    const many = Array.from({ length: 11 }, () => ({ upload_id: ulid() }));
    expect(await send(owner, item('x', { room_id: group, attachments: many }))).toMatchObject({ type: 'rejected', code: 'invalid_attachment' });
  });
});

describe('serving media (M3)', () => {
  let mediaId: string;
  beforeAll(async () => {
    const photo = await upload(server.baseUrl, owner.hello.token, await makeJpeg(400, 300, 8));
    mediaId = (await mediaOf(photo.uploadId))!;
    const ack = await send(owner, item('in the group', { room_id: group, attachments: [{ upload_id: photo.uploadId }] }));
    expect(ack.type).toBe('message_ids');
  });

  it('[M3][R4] a stranger gets 404, the same as for an id that does not exist; a member gets the bytes with nosniff', async () => {
    const [theirs, missing] = [await fetchMedia(mediaId, stranger.hello.token), await fetchMedia(ulid(), stranger.hello.token)];
    expect(theirs.status).toBe(404);
    expect(JSON.parse(theirs.bytes.toString())).toEqual(JSON.parse(missing.bytes.toString()));
    expect(JSON.parse(theirs.bytes.toString())).toMatchObject({ code: 'not_found' });
    expect((await fetchMedia(mediaId, undefined)).status).toBe(401);

    const served = await fetchMedia(mediaId, member.hello.token);
    expect(served.status).toBe(200);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('content-disposition')).toBe('inline');
    expect(served.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const etag = served.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await fetchMedia(mediaId, member.hello.token, '', { 'if-none-match': etag })).status).toBe(304);

    const thumb = await fetchMedia(mediaId, member.hello.token, '?variant=thumb');
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(thumb.bytes).metadata()).width).toBe(320);
    // The stranger's own signed URL request is refused alike.
    expect((await api(server.baseUrl, stranger.hello.token, 'GET', `/v1/media/${mediaId}/url`)).status).toBe(404);
  });

  it('[M3] a deleted message no longer shares its media with the room', async () => {
    const photo = await upload(server.baseUrl, owner.hello.token, await makeJpeg(30, 30, 9));
    const ack = (await send(owner, item('oops', { room_id: group, attachments: [{ upload_id: photo.uploadId }] }))) as AckFrame;
    const id = (await mediaOf(photo.uploadId))!;
    expect((await fetchMedia(id, member.hello.token)).status).toBe(200);
    expect((await api(server.baseUrl, owner.hello.token, 'DELETE', `/v1/chat/messages/${ack.message_ids[0]}`)).status).toBe(204);
    expect((await fetchMedia(id, member.hello.token)).status).toBe(404);
    // The uploader keeps access to their own.
    expect((await fetchMedia(id, owner.hello.token)).status).toBe(200);
  });

  it('[M3] a signed URL works without the Authorization header, for a while', async () => {
    const { status, body } = await api(server.baseUrl, member.hello.token, 'GET', `/v1/media/${mediaId}/url`);
    expect(status).toBe(200);
    const { url, expires_at } = body as { url: string; expires_at: string };
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    const viaUrl = await fetch(`${server.baseUrl}${url}`);
    expect(viaUrl.status).toBe(200);
    expect(viaUrl.headers.get('content-type')).toBe('image/jpeg');
    expect((await fetch(`${server.baseUrl}${url}&variant=thumb`)).status).toBe(200);
    // Not for another media id, and it is no session token.
    const token = new URL(url, server.baseUrl).searchParams.get('token')!;
    expect((await fetch(`${server.baseUrl}/v1/media/${ulid()}?token=${token}`)).status).toBe(401);
    expect((await api(server.baseUrl, token, 'GET', '/v1/me')).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, SIGNED_URL_TTL_MS + 1_500));
    const expired = await fetch(`${server.baseUrl}${url}`);
    expect(expired.status).toBe(401);
  });

  it('[F3] audio supports Range (206)', async () => {
    const voice = await upload(server.baseUrl, owner.hello.token, makeWav(500, 8000));
    const id = (await mediaOf(voice.uploadId))!;
    const part = await fetchMedia(id, owner.hello.token, '', { range: 'bytes=0-43' });
    expect(part.status).toBe(206);
    expect(part.bytes.length).toBe(44);
    expect(part.bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(part.headers.get('content-range')).toMatch(/^bytes 0-43\/\d+$/);
  });
});

describe('cleanup', () => {
  it('[F2] uploads never attached, and media nothing refers to, are swept after the TTL; attached ones stay', async () => {
    const loose = await upload(server.baseUrl, stranger.hello.token, await makeJpeg(25, 25, 10));
    const looseMedia = (await mediaOf(loose.uploadId))!;
    const kept = await upload(server.baseUrl, stranger.hello.token, await makeJpeg(26, 26, 11));
    const keptMedia = (await mediaOf(kept.uploadId))!;
    expect((await send(stranger, item('kept', { attachments: [{ upload_id: kept.uploadId }] }))).type).toBe('message_ids');
    const unfinished = await tusCreate(server.baseUrl, stranger.hello.token, 50);
    await tusPatch(server.baseUrl, stranger.hello.token, unfinished.uploadId!, 0, Buffer.alloc(10));

    const later = new Date(Date.now() + server.app.media.uploadTtlMs + 60_000);
    await server.app.media.sweep(later);
    const exists = async (table: string, id: string) => (await server.db.pool.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount === 1;
    expect(await exists('uploads', loose.uploadId)).toBe(false);
    expect(await exists('uploads', unfinished.uploadId!)).toBe(false);
    expect(await exists('media', looseMedia)).toBe(false);
    expect(await exists('uploads', kept.uploadId)).toBe(true);
    expect(await exists('media', keptMedia)).toBe(true);
    expect(fs.readdirSync(path.join(dataDir, 'uploads')).filter((file) => file.startsWith(unfinished.uploadId!))).toEqual([]);
    expect((await fetchMedia(keptMedia, stranger.hello.token)).status).toBe(200);
  });
});
