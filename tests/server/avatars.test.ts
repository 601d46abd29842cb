/**
 * Profile pictures (A5) through the files pipeline (F2, F4): PATCH /v1/me
 * with a finished image upload of the caller's; the media id on every
 * description of a person (GET /v1/me, GET /v1/users, the rooms' `users`);
 * who may fetch it; removal; and the cleanup sweep. Real PostgreSQL, file
 * storage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Me, RoomsFrame, RoomsResponse, User, UsersResponse } from '../../server/protocol/index.js';
import { api, createRoom } from '../support/rooms-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { makeJpeg, makeWav, upload } from '../support/uploads.js';
import { TestSocket } from '../support/ws-client.js';

let server: TestServer;
let dataDir: string;
let ana: TestSocket;
let ben: TestSocket;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-avatars-test-'));
  server = await startTestServer({ media: { dataDir } });
  [ana, ben] = await Promise.all([TestSocket.connect(server.wsUrl), TestSocket.connect(server.wsUrl)]);
  // A name search finds her among everyone, and a group lists her as a member of Ben's.
  await patchMe(ana.hello.token, { display_name: `Ana ${ulid()}` });
  await createRoom(ben, { name: 'Pictures', userIds: [ana.userId] });
});
afterAll(async () => {
  await Promise.all([ana, ben].map((socket) => socket.close()));
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const patchMe = (token: string, body: unknown) => api(server.baseUrl, token, 'PATCH', '/v1/me', body);

async function fetchMedia(mediaId: string, token: string | undefined, query = '') {
  const response = await fetch(`${server.baseUrl}/v1/media/${mediaId}${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

/** A finished upload of `bytes` by `socket`'s user. */
async function uploaded(socket: TestSocket, bytes: Buffer): Promise<string> {
  const { uploadId, finish } = await upload(server.baseUrl, socket.hello.token, bytes);
  expect(finish.status).toBe(204);
  return uploadId;
}

const mediaOfUpload = async (uploadId: string) =>
  (await server.db.pool.query<{ media_id: string }>('SELECT media_id FROM uploads WHERE id = $1', [uploadId])).rows[0]?.media_id ?? null;

/** Ana as Ben's client learns about her: users search, lookup by id, the rooms' people (REST and the `rooms` frame). */
async function anaAsBenSeesHer(): Promise<User[]> {
  const token = ben.hello.token;
  const me = (await api(server.baseUrl, ana.hello.token, 'GET', '/v1/me')).body as Me;
  const search = (await api(server.baseUrl, token, 'GET', `/v1/users?query=${encodeURIComponent(me.display_name)}`)).body as UsersResponse;
  const byId = (await api(server.baseUrl, token, 'GET', `/v1/users?ids=${ana.userId}`)).body as UsersResponse;
  const rooms = (await api(server.baseUrl, token, 'GET', '/v1/rooms')).body as RoomsResponse;
  ben.send({ type: 'sync', rooms: [] });
  const frame = await ben.next<RoomsFrame>((f) => f.type === 'rooms');
  return [search.data, byId.data, rooms.users, frame.users].map((people) => people.find((person) => person.id === ana.userId)!);
}

/** A JPEG with EXIF naming a camera and a GPS position. */
async function photoWithGps(): Promise<Buffer> {
  return sharp(await makeJpeg(90, 60, 21))
    .withExif({
      IFD0: { Make: 'Spyphone', Model: 'X1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
    })
    .jpeg()
    .toBuffer();
}

describe('profile pictures', () => {
  it('[A5] a finished image upload becomes the avatar: in GET /v1/me, and for others in users search, lookup and the rooms\' people', async () => {
    expect(((await api(server.baseUrl, ana.hello.token, 'GET', '/v1/me')).body as Me).avatar).toBeNull();
    expect((await anaAsBenSeesHer()).map((person) => person.avatar)).toEqual([null, null, null, null]);

    const uploadId = await uploaded(ana, await makeJpeg(80, 60, 20));
    const { status, body } = await patchMe(ana.hello.token, { avatar_upload_id: uploadId });
    expect(status).toBe(200);
    const mediaId = await mediaOfUpload(uploadId);
    expect(mediaId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(body).toMatchObject({ user_id: ana.userId, avatar: mediaId });
    expect(((await api(server.baseUrl, ana.hello.token, 'GET', '/v1/me')).body as Me).avatar).toBe(mediaId);
    const seen = await anaAsBenSeesHer();
    expect(seen.map((person) => person.avatar)).toEqual([mediaId, mediaId, mediaId, mediaId]);
    // Existing fields stay.
    for (const person of seen) expect(person).toMatchObject({ id: ana.userId, display_name: expect.any(String), color: expect.any(String) });
  });

  it('[A5][F4] anyone signed in may fetch an avatar and its square-croppable thumbnail; its metadata is stripped; no token is 401', async () => {
    const uploadId = await uploaded(ana, await photoWithGps());
    expect((await patchMe(ana.hello.token, { avatar_upload_id: uploadId })).status).toBe(200);
    const mediaId = (await mediaOfUpload(uploadId))!;

    const full = await fetchMedia(mediaId, ben.hello.token);
    expect(full.status).toBe(200);
    const meta = await sharp(full.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(full.bytes.includes('Spyphone')).toBe(false);

    const thumb = await fetchMedia(mediaId, ben.hello.token, '?variant=thumb');
    expect(thumb.status).toBe(200);
    expect(thumb.type).toBe('image/webp');
    expect((await sharp(thumb.bytes).metadata()).exif).toBeUndefined();

    const url = (await api(server.baseUrl, ben.hello.token, 'GET', `/v1/media/${mediaId}/url`)).body as { url: string };
    expect((await fetch(`${server.baseUrl}${url.url}&variant=thumb`)).status).toBe(200);
    expect((await fetchMedia(mediaId, undefined)).status).toBe(401);
  });

  it('[A5][M3] a photo that is not (or no longer) an avatar stays private: 404 to others, as for an unknown id', async () => {
    const first = await uploaded(ana, await makeJpeg(40, 40, 22));
    const second = await uploaded(ana, await makeJpeg(41, 41, 23));
    const firstMedia = (await mediaOfUpload(first))!;
    const secondMedia = (await mediaOfUpload(second))!;
    // Never an avatar: only Ana may see it.
    expect((await fetchMedia(secondMedia, ben.hello.token)).status).toBe(404);

    expect((await patchMe(ana.hello.token, { avatar_upload_id: first })).status).toBe(200);
    expect((await fetchMedia(firstMedia, ben.hello.token)).status).toBe(200);
    // Replaced: the old picture is Ana's alone again.
    expect((await patchMe(ana.hello.token, { avatar_upload_id: second })).body).toMatchObject({ avatar: secondMedia });
    expect((await fetchMedia(firstMedia, ben.hello.token)).status).toBe(404);
    expect((await fetchMedia(firstMedia, ana.hello.token)).status).toBe(200);
    expect((await fetchMedia(secondMedia, ben.hello.token)).status).toBe(200);
    expect((await fetchMedia(ulid(), ben.hello.token)).status).toBe(404);
  });

  it('[A5] refused: another user\'s upload, an unknown or unfinished one (404), a voice note (400); the avatar stays', async () => {
    const mine = await uploaded(ana, await makeJpeg(50, 50, 24));
    expect((await patchMe(ana.hello.token, { avatar_upload_id: mine })).status).toBe(200);
    const before = (await mediaOfUpload(mine))!;

    const bens = await uploaded(ben, await makeJpeg(50, 50, 25));
    const theirs = await patchMe(ana.hello.token, { avatar_upload_id: bens });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toMatchObject({ code: 'not_found', message: expect.stringContaining('avatar_upload_id') });
    expect((await patchMe(ana.hello.token, { avatar_upload_id: ulid() })).status).toBe(404);
    const unfinished = await fetch(`${server.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana.hello.token}`, 'tus-resumable': '1.0.0', 'upload-length': '100' },
    });
    const unfinishedId = unfinished.headers.get('location')!.split('/').pop()!;
    expect((await patchMe(ana.hello.token, { avatar_upload_id: unfinishedId })).status).toBe(404);

    const audio = await uploaded(ana, makeWav(1000));
    const voice = await patchMe(ana.hello.token, { avatar_upload_id: audio });
    expect(voice.status).toBe(400);
    expect(voice.body).toMatchObject({ code: 'unsupported_media', message: expect.stringContaining('image') });

    expect((await patchMe(ana.hello.token, { avatar_upload_id: 'not an id' })).status).toBe(400);
    expect((await patchMe(ana.hello.token, {})).status).toBe(400);
    expect(((await api(server.baseUrl, ana.hello.token, 'GET', '/v1/me')).body as Me).avatar).toBe(before);
  });

  it('[A5] null removes the avatar (others see null); the display name and the avatar change independently', async () => {
    const uploadId = await uploaded(ana, await makeJpeg(50, 50, 26));
    expect((await patchMe(ana.hello.token, { avatar_upload_id: uploadId })).status).toBe(200);
    const name = `Ana Park ${ulid()}`;
    const renamed = await patchMe(ana.hello.token, { display_name: name });
    expect(renamed.body).toMatchObject({ display_name: name, avatar: await mediaOfUpload(uploadId) });

    const removed = await patchMe(ana.hello.token, { avatar_upload_id: null });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ display_name: name, avatar: null });
    expect((await anaAsBenSeesHer()).map((person) => person.avatar)).toEqual([null, null, null, null]);
  });

  it('[A5][F2] the sweep keeps the media of a current avatar and its upload; a removed one is swept', async () => {
    const current = await uploaded(ben, await makeJpeg(30, 30, 27));
    const old = await uploaded(ben, await makeJpeg(31, 31, 28));
    const currentMedia = (await mediaOfUpload(current))!;
    const oldMedia = (await mediaOfUpload(old))!;
    expect((await patchMe(ben.hello.token, { avatar_upload_id: old })).status).toBe(200);
    expect((await patchMe(ben.hello.token, { avatar_upload_id: current })).status).toBe(200);

    await server.app.media.sweep(new Date(Date.now() + server.app.media.uploadTtlMs + 60_000));
    const exists = async (table: string, id: string) => (await server.db.pool.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount === 1;
    expect(await exists('media', currentMedia)).toBe(true);
    expect(await exists('uploads', current)).toBe(true);
    expect(await exists('media', oldMedia)).toBe(false);
    expect((await fetchMedia(currentMedia, ana.hello.token, '?variant=thumb')).status).toBe(200);
  });
});
