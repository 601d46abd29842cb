/**
 * N1–N3: Web Push against a local push service that decrypts what it gets
 * (web-push-testing behind a TLS front with a throwaway certificate, which
 * the app trusts through the https.Agent given in AppOptions.push). Two
 * instances on one database: subscriptions, mutes and "viewing" made on one
 * decide the pushes the other sends.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushKind } from '../../server/protocol/index.js';
import { PUSH_NO_PREVIEW_BODY } from '../../server/push/push-sender.js';
import { createSession, restSend, waitFor } from '../support/fixtures.js';
import { startPushService, type TestPushService, type TestSubscription } from '../support/push-service.js';
import { api } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let db: TestDatabase;
let pushService: TestPushService;
let a: TestServer;
let b: TestServer;
let key: string;
beforeAll(async () => {
  db = await createTestDatabase();
  pushService = await startPushService();
  a = await startTestServer({ db, push: { agent: pushService.agent } });
  b = await startTestServer({ db, push: { agent: pushService.agent } });
  const person = await createSession(a.baseUrl);
  key = (await api(a.baseUrl, person.token, 'GET', '/v1/push/key')).body.key as string;
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await pushService?.close();
  await db?.drop();
});

type Person = { user_id: string; token: string };

/** A person whose device subscribed (through instance b). */
async function subscribed(previews?: boolean): Promise<Person & { sub: TestSubscription }> {
  const person = await createSession(a.baseUrl);
  const sub = await pushService.subscribe(key);
  const { clientHash: _, ...json } = sub;
  const answer = await api(b.baseUrl, person.token, 'POST', '/v1/push/subscriptions', previews === undefined ? json : { ...json, previews });
  expect(answer.status).toBe(204);
  return { ...person, sub };
}

async function group(owner: Person, members: Person[], name = 'Plans'): Promise<string> {
  const id = ulid().toLowerCase();
  const answer = await api(a.baseUrl, owner.token, 'POST', '/v1/rooms', { id, name, kind: 'group', user_ids: members.map((m) => m.user_id) });
  expect(answer.status).toBe(201);
  return id;
}

/** Sends through instance a and waits until every push it led to has been sent (or refused). */
async function say(person: Person, roomId: string, content: string): Promise<number> {
  const answer = await restSend(a.baseUrl, person.token, { data: [{ client_id: ulid(), room_id: roomId, content }] });
  expect(answer.status).toBe(200);
  await a.app.push.sender.settled();
  return (answer.body.seqs as number[])[0];
}

const messagesOf = async (sub: TestSubscription) => (await pushService.received(sub)).filter((payload) => payload.t === PushKind.Message);

describe('N1 push key and subscriptions', () => {
  it('[N1] the VAPID key needs a token, and is the same on every instance', async () => {
    expect((await api(a.baseUrl, undefined, 'GET', '/v1/push/key')).status).toBe(401);
    const person = await createSession(b.baseUrl);
    const fromB = await api(b.baseUrl, person.token, 'GET', '/v1/push/key');
    expect(fromB.body.key).toBe(key);
    expect(key).toMatch(/^[A-Za-z0-9_-]{87}$/);
  });

  it('[N1] subscribing and unsubscribing need a token; a plain-http endpoint is refused', async () => {
    const sub = await pushService.subscribe(key);
    const { clientHash: _, ...json } = sub;
    expect((await api(a.baseUrl, undefined, 'POST', '/v1/push/subscriptions', json)).status).toBe(401);
    expect((await api(a.baseUrl, undefined, 'DELETE', '/v1/push/subscriptions', json)).status).toBe(401);
    const person = await createSession(a.baseUrl);
    expect((await api(a.baseUrl, person.token, 'POST', '/v1/push/subscriptions', { ...json, endpoint: 'http://127.0.0.1/x' })).status).toBe(400);
  });

  it('[N1] a device has one subscription: subscribing a new endpoint replaces its old one, so one device cannot fan out to many', async () => {
    const person = await createSession(a.baseUrl);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { clientHash: _, ...json } = await pushService.subscribe(key);
      expect((await api(a.baseUrl, person.token, 'POST', '/v1/push/subscriptions', json)).status).toBe(204);
      ids.push(json.endpoint);
    }
    const { rows } = await db.pool.query<{ endpoint: string }>('SELECT endpoint FROM push_subscriptions WHERE user_id = $1', [person.user_id]);
    expect(rows.map((row) => row.endpoint)).toEqual([ids[2]]);
  });
});

describe('N1, N2 who is notified, with what', () => {
  it('[N1][N2] a message notifies a member with no page open, not the sender, not a non-member; the payload decrypts to the expected fields', async () => {
    const [ana, ben, cy] = await Promise.all([subscribed(), subscribed(), subscribed()]);
    await api(a.baseUrl, ana.token, 'PATCH', '/v1/me', { display_name: 'Ana' });
    const room = await group(ana, [ben], 'Plans');
    const seq = await say(ana, room, 'the secret plan');

    await waitFor(async () => (await messagesOf(ben.sub)).length === 1, 5_000, 'a push to ben');
    const [payload] = await messagesOf(ben.sub);
    // N2: no preview unless allowed; the unread count counts this message.
    expect(payload).toEqual({ t: 'msg', r: room, s: seq, n: 'Ana in Plans', b: PUSH_NO_PREVIEW_BODY, u: expect.any(Number) });
    expect(payload.u).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(payload)).not.toContain('secret');
    expect(await messagesOf(ana.sub)).toEqual([]);
    expect(await messagesOf(cy.sub)).toEqual([]);
  });

  it('[N2] a preview only for a subscription that allowed it; a DM is titled with the sender alone', async () => {
    const [ana, ben, cy] = await Promise.all([subscribed(), subscribed(true), subscribed(false)]);
    await api(a.baseUrl, ana.token, 'PATCH', '/v1/me', { display_name: 'Ana' });
    const room = await group(ana, [ben, cy]);
    await say(ana, room, 'lunch at noon?');
    await waitFor(async () => (await messagesOf(ben.sub)).length === 1 && (await messagesOf(cy.sub)).length === 1, 5_000, 'pushes');
    expect((await messagesOf(ben.sub))[0].b).toBe('lunch at noon?');
    expect((await messagesOf(cy.sub))[0].b).toBe(PUSH_NO_PREVIEW_BODY);

    const dm = (await api(a.baseUrl, ana.token, 'POST', '/v1/dms', { user_id: ben.user_id })).body.id as string;
    await say(ana, dm, 'psst');
    await waitFor(async () => (await messagesOf(ben.sub)).length === 2, 5_000, 'the DM push');
    expect((await messagesOf(ben.sub))[1]).toMatchObject({ r: dm, n: 'Ana', b: 'psst' });
  });

  it('[N1] a muted room never notifies; unmuted it does again', async () => {
    const [ana, ben] = await Promise.all([subscribed(), subscribed()]);
    const room = await group(ana, [ben]);
    expect((await api(b.baseUrl, ben.token, 'PUT', `/v1/rooms/${room}/mute`, { muted: true })).body).toEqual({ room_id: room, muted: true });
    await say(ana, room, 'anyone?');
    expect(await messagesOf(ben.sub)).toEqual([]);
    // The room list tells the user's devices (M6 room objects carry `muted`).
    const rooms = (await api(a.baseUrl, ben.token, 'GET', '/v1/rooms')).body.data as { id: string; muted?: boolean }[];
    expect(rooms.find((r) => r.id === room)?.muted).toBe(true);

    await api(b.baseUrl, ben.token, 'PUT', `/v1/rooms/${room}/mute`, { muted: false });
    await say(ana, room, 'hello?');
    await waitFor(async () => (await messagesOf(ben.sub)).length === 1, 5_000, 'a push after unmuting');
    // Not a room of yours: 404, as for one that does not exist (M3).
    const stranger = await createSession(a.baseUrl);
    expect((await api(a.baseUrl, stranger.token, 'PUT', `/v1/rooms/${room}/mute`, { muted: true })).status).toBe(404);
  });

  it('[N1] no push while the device shows the room on a visible page (on another instance); one once its page is hidden', async () => {
    const [ana, ben] = await Promise.all([subscribed(), subscribed()]);
    const room = await group(ana, [ben]);
    // Ben's device: the same session as his subscription, its socket on instance b.
    const socket = await TestSocket.connect(b.wsUrl, ben.token);
    const viewingRows = async () => (await db.pool.query('SELECT room_id FROM push_viewing WHERE session_id = (SELECT session_id FROM push_subscriptions WHERE endpoint = $1)', [ben.sub.endpoint])).rows;
    socket.send({ type: 'viewing', room_id: room });
    await waitFor(async () => (await viewingRows()).length === 1, 5_000, 'viewing recorded');
    await say(ana, room, 'you there?');
    expect(await messagesOf(ben.sub)).toEqual([]);

    // The page went to the background: a live socket on a hidden page does not count.
    socket.send({ type: 'viewing', room_id: null });
    await waitFor(async () => (await viewingRows()).length === 0, 5_000, 'viewing cleared');
    await say(ana, room, 'hello?');
    await waitFor(async () => (await messagesOf(ben.sub)).length === 1, 5_000, 'a push once hidden');

    // A closed socket views nothing either.
    socket.send({ type: 'viewing', room_id: room });
    await waitFor(async () => (await viewingRows()).length === 1, 5_000, 'viewing recorded again');
    await socket.close();
    await waitFor(async () => (await viewingRows()).length === 0, 5_000, 'viewing gone with the socket');
  });

  it('[N1] reading on one device clears the notification on the others (a read push), once', async () => {
    const [ana, ben] = await Promise.all([subscribed(), subscribed()]);
    const room = await group(ana, [ben]);
    const seq = await say(ana, room, 'read me');
    await waitFor(async () => (await messagesOf(ben.sub)).length === 1, 5_000, 'the message push');
    expect((await api(b.baseUrl, ben.token, 'POST', `/v1/rooms/${room}/read`, { seq })).status).toBe(200);
    await waitFor(async () => (await pushService.received(ben.sub)).some((p) => p.t === PushKind.Read), 5_000, 'the read push');
    expect((await pushService.received(ben.sub)).at(-1)).toEqual({ t: 'read', r: room, s: seq, u: expect.any(Number) });
    // Nothing left to clear: reading again sends nothing.
    await say(ben, room, 'ok');
    await api(b.baseUrl, ben.token, 'POST', `/v1/rooms/${room}/read`, { seq: seq + 1 });
    await b.app.push.sender.settled();
    expect((await pushService.received(ben.sub)).filter((p) => p.t === PushKind.Read)).toHaveLength(1);
  });
});

describe('N3, A4 subscriptions that go', () => {
  it('[N3] a subscription the push service answers 410 for is removed', async () => {
    const [ana, ben] = await Promise.all([subscribed(), subscribed()]);
    const room = await group(ana, [ben]);
    await pushService.expire(ben.sub);
    await say(ana, room, 'gone?');
    const { rows } = await db.pool.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [ben.sub.endpoint]);
    expect(rows).toEqual([]);
  });

  it('[N1][A4] logging out removes the device\'s subscription; DELETE removes it too', async () => {
    const ben = await subscribed();
    const count = async (endpoint: string) => (await db.pool.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [endpoint])).rowCount;
    expect(await count(ben.sub.endpoint)).toBe(1);
    expect((await api(a.baseUrl, ben.token, 'DELETE', '/v1/session')).status).toBe(204);
    expect(await count(ben.sub.endpoint)).toBe(0);

    const cy = await subscribed();
    const { clientHash: _, ...json } = cy.sub;
    expect((await api(a.baseUrl, cy.token, 'DELETE', '/v1/push/subscriptions', json)).status).toBe(204);
    expect(await count(cy.sub.endpoint)).toBe(0);
  });
});
