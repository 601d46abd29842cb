/**
 * L1 presence and L5 (it crosses instances, members only): instances on one
 * database with short timings, one of them a child process that is
 * SIGKILLed. The tracker's debounce alone: presence-tracker.test.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceEntry, PresenceFrame, ServerFrame } from '../../server/protocol/index.js';
import type { PresenceTimings } from '../../server/live/presence.js';
import { createSession, waitFor } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { createRoom } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startChildServer } from '../support/child-server.js';
import { TestSocket } from '../support/ws-client.js';

/** Short enough for a test, in the defaults' proportions (TTL: several heartbeats). */
const TIMINGS: PresenceTimings = { heartbeatMs: 200, instanceTtlMs: 1_000, offlineGraceMs: 1_000 };
/** How long a test waits to be sure a frame does not come. */
const QUIET_MS = 400;
/** Delivery: a transaction, a NOTIFY and a socket write; generous for a loaded machine. */
const DELIVERY_SLACK_MS = 1_500;
/** A child server (tsx compiling the server) may take a while to answer /healthz. */

let db: TestDatabase;
let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  a = await startTestServer({ db, presence: TIMINGS });
  b = await startTestServer({ db, presence: TIMINGS });
});
afterAll(async () => {
  await a.close();
  await b.close();
  await db.drop();
});

const isPresence = (frame: ServerFrame): frame is PresenceFrame => frame.type === 'presence';
/** Every presence entry about `userId` the socket received, in order. */
const about = (socket: TestSocket, userId: string): PresenceEntry[] =>
  socket.frames.filter(isPresence).flatMap((frame) => frame.data.filter((entry) => entry.user_id === userId));
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

/** Resolves with the first entry about `userId` of that status the socket received. */
async function heard(socket: TestSocket, userId: string, status: PresenceEntry['status'], timeoutMs = 5_000): Promise<PresenceEntry> {
  await waitFor(() => about(socket, userId).some((entry) => entry.status === status), timeoutMs, `${userId} ${status}`);
  return about(socket, userId).find((entry) => entry.status === status)!;
}

async function connectAs(server: TestServer, token: string) {
  return TestSocket.connect(server.wsUrl, token);
}

async function rowsOf(userId: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM presence_sockets WHERE user_id = $1', [userId]);
  return rows[0].n;
}

describe('L1 presence', () => {
  it('[L1][L5] online, then offline with last_seen within the grace of the clean close, once per socket on both instances, never to the user', async () => {
    const [ana, ben, cid] = await Promise.all([a, a, a].map((server) => createSession(server.baseUrl)));
    const benHere = await connectAs(a, ben.token);
    const cidThere = await connectAs(b, cid.token);
    const anaHere = await connectAs(a, ana.token);
    const anaThere = await connectAs(b, ana.token);

    expect(await heard(benHere, ana.user_id, 'online')).toEqual({ user_id: ana.user_id, status: 'online', last_seen: null });
    expect(await heard(cidThere, ana.user_id, 'online')).toEqual({ user_id: ana.user_id, status: 'online', last_seen: null });

    // Her first device going changes nothing: the other is still there.
    await anaHere.close();
    await waitFor(async () => (await rowsOf(ana.user_id)) === 1, TIMINGS.offlineGraceMs + DELIVERY_SLACK_MS, 'the closed device\'s row gone');
    const closedAt = Date.now();
    await anaThere.close();
    const offline = await heard(benHere, ana.user_id, 'offline', TIMINGS.offlineGraceMs + DELIVERY_SLACK_MS);
    const after = Date.now() - closedAt;
    expect(after).toBeGreaterThanOrEqual(TIMINGS.offlineGraceMs - 50);
    expect(after).toBeLessThan(TIMINGS.offlineGraceMs + DELIVERY_SLACK_MS);
    expect(offline.last_seen).not.toBeNull();
    const lastSeen = Date.parse(offline.last_seen!);
    expect(lastSeen).toBeGreaterThanOrEqual(closedAt - 100);
    expect(lastSeen).toBeLessThanOrEqual(Date.now());
    expect(await heard(cidThere, ana.user_id, 'offline')).toEqual(offline);
    const { rows } = await db.pool.query<{ last_seen_at: Date }>('SELECT last_seen_at FROM users WHERE id = $1', [ana.user_id]);
    expect(rows[0].last_seen_at.toISOString()).toBe(offline.last_seen);

    await Promise.all([a.app.live.presenceDelivered(), b.app.live.presenceDelivered()]);
    await quiet();
    // Exactly once per socket, whatever the number of instances and of Ana's devices.
    for (const socket of [benHere, cidThere]) expect(about(socket, ana.user_id).map((entry) => entry.status)).toEqual(['online', 'offline']);
    for (const socket of [anaHere, anaThere]) expect(about(socket, ana.user_id)).toEqual([]);
    await Promise.all([benHere, cidThere].map((socket) => socket.close()));
  });

  it('[L1] flapping: a close and a reconnect within the grace, here or on the other instance, make no presence frame at all', async () => {
    const [ana, ben] = await Promise.all([a, a].map((server) => createSession(server.baseUrl)));
    const benHere = await connectAs(a, ben.token);
    let anaSocket = await connectAs(a, ana.token);
    await heard(benHere, ana.user_id, 'online');

    // Back on the same instance at once, then over to the other one.
    await anaSocket.close();
    anaSocket = await connectAs(a, ana.token);
    await anaSocket.close();
    anaSocket = await connectAs(b, ana.token);
    await waitFor(async () => (await rowsOf(ana.user_id)) === 2, 5_000, 'a row on each instance');
    // The first instance's grace runs out: its row goes, the other one stays.
    await waitFor(async () => (await rowsOf(ana.user_id)) === 1, TIMINGS.offlineGraceMs + DELIVERY_SLACK_MS, 'the first instance\'s row gone');
    await Promise.all([a.app.live.presenceDelivered(), b.app.live.presenceDelivered()]);
    await quiet();
    expect(about(benHere, ana.user_id).map((entry) => entry.status)).toEqual(['online']);
    await Promise.all([benHere, anaSocket].map((socket) => socket.close()));
  });

  it('[L1][M3] the snapshot follows `rooms`: everyone online, and DM and group partners offline with last_seen; not strangers offline, not yourself', async () => {
    const [ana, ben, cid, dan, eve] = await Promise.all([a, a, a, a, a].map((server) => createSession(server.baseUrl)));
    const anaSetup = await connectAs(a, ana.token);
    await createRoom(anaSetup, { userIds: [ben.user_id, cid.user_id] });
    const benThere = await connectAs(b, ben.token);
    const danHere = await connectAs(a, dan.token);
    // Cid and Eve were here and left.
    const cidHere = await connectAs(a, cid.token);
    const eveHere = await connectAs(a, eve.token);
    await Promise.all([cidHere.close(), eveHere.close()]);
    await waitFor(
      async () => (await db.pool.query('SELECT 1 FROM users WHERE id = ANY($1::uuid[]) AND last_seen_at IS NOT NULL', [[cid.user_id, eve.user_id]])).rowCount === 2,
      TIMINGS.offlineGraceMs + DELIVERY_SLACK_MS,
      'cid and eve offline',
    );
    const { rows } = await db.pool.query<{ last_seen_at: Date }>('SELECT last_seen_at FROM users WHERE id = $1', [cid.user_id]);

    const ana2 = await connectAs(b, ana.token);
    ana2.send({ type: 'sync', rooms: [] });
    await ana2.next((frame) => frame.type === 'synced');
    const types = ana2.frames.map((frame) => frame.type);
    const listed = types.indexOf('rooms');
    expect(types[listed + 1]).toBe('presence');
    expect(types.filter((type) => type === 'presence')).toHaveLength(1);
    const snapshot = (ana2.frames[listed + 1] as PresenceFrame).data;
    const mine = [ben, cid, dan].map((user) => user.user_id);
    expect(snapshot.filter((entry) => mine.includes(entry.user_id))).toEqual(
      [
        { user_id: ben.user_id, status: 'online', last_seen: null },
        { user_id: cid.user_id, status: 'offline', last_seen: rows[0].last_seen_at.toISOString() },
        { user_id: dan.user_id, status: 'online', last_seen: null },
      ].sort((x, y) => (x.user_id < y.user_id ? -1 : 1)),
    );
    // Eve shares only general with Ana: her being offline is not Ana's business.
    expect(snapshot.some((entry) => entry.user_id === eve.user_id || entry.user_id === ana.user_id)).toBe(false);
    // Everyone in the snapshot is online except the partners of Ana's groups.
    for (const entry of snapshot) if (entry.user_id !== cid.user_id) expect(entry.status).toBe('online');
    await Promise.all([anaSetup, benThere, danHere, ana2].map((socket) => socket.close()));
  });

  describe('a SIGKILLed instance', () => {
    let child: ChildProcess | null = null;
    afterEach(() => {
      child?.kill('SIGKILL');
      child = null;
    });

    it(`[L1][L5] its users go offline on the other instances within the TTL plus a heartbeat, last seen at its last heartbeat`, async () => {
      const port = await freePort();
      const started = await startChildServer(db.url, port, {
        PRESENCE_HEARTBEAT_MS: String(TIMINGS.heartbeatMs),
        PRESENCE_INSTANCE_TTL_MS: String(TIMINGS.instanceTtlMs),
        PRESENCE_OFFLINE_GRACE_MS: String(TIMINGS.offlineGraceMs),
      });
      child = started;
      const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));

      const [ana, ben] = await Promise.all([a, a].map((server) => createSession(server.baseUrl)));
      const benHere = await connectAs(a, ben.token);
      const anaDoomed = await TestSocket.connect(`ws://127.0.0.1:${port}/v1/chat/ws`, ana.token);
      await heard(benHere, ana.user_id, 'online');

      const killedAt = Date.now();
      started.kill('SIGKILL');
      await exited;
      const bound = TIMINGS.instanceTtlMs + TIMINGS.heartbeatMs;
      const offline = await heard(benHere, ana.user_id, 'offline', bound + DELIVERY_SLACK_MS);
      expect(Date.now() - killedAt).toBeLessThan(bound + DELIVERY_SLACK_MS);
      // Last seen: the dead instance's last heartbeat, before the kill.
      const lastSeen = Date.parse(offline.last_seen!);
      expect(lastSeen).toBeLessThanOrEqual(killedAt + 50);
      expect(lastSeen).toBeGreaterThan(killedAt - TIMINGS.instanceTtlMs);
      expect(await rowsOf(ana.user_id)).toBe(0);
      const { rowCount } = await db.pool.query('SELECT 1 FROM server_instances WHERE heartbeat_at < now() - interval \'1 second\' * $1', [
        (TIMINGS.instanceTtlMs + TIMINGS.heartbeatMs) / 1000,
      ]);
      expect(rowCount).toBe(0);
      await Promise.all([a.app.live.presenceDelivered(), b.app.live.presenceDelivered()]);
      await quiet();
      // Announced by exactly one of the sweeping instances.
      expect(about(benHere, ana.user_id).map((entry) => entry.status)).toEqual(['online', 'offline']);
      await benHere.close();
      anaDoomed.ws.terminate();
    });
  });
});
