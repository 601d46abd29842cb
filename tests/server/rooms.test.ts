import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmRoomId, type AckFrame, type EventsFrame, type RoomsFrame, type ServerFrame, type SyncedFrame } from '../../server/protocol/index.js';
import { isAck, item, waitFor } from '../support/fixtures.js';
import { api, createRoom, opItem, sendOp } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let db: TestDatabase;
let server: TestServer;
let second: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ db });
  second = await startTestServer({ db });
});
afterAll(async () => {
  await server.close();
  await second.close();
  await db.drop();
});

const connect = (token?: string, on: TestServer = server) => TestSocket.connect(on.wsUrl, token);
const count = async (sql: string, params: unknown[]) => (await db.pool.query<{ n: number }>(sql, params)).rows[0].n;
const eventsOf = (socket: TestSocket, roomId: string) => socket.all('events').flatMap((frame) => frame.data).filter((event) => event.room_id === roomId);

describe('room ops (P11)', () => {
  it('[M2][E3] a room created twice with one id is one room; the resent op is one log entry with the same ack', async () => {
    const ana = await connect();
    const ben = await connect();
    const roomId = ulid().toLowerCase();
    const op = opItem({ op: 'room.create', room_id: roomId, name: 'Trip', kind: 'group', user_ids: [ben.userId] });
    ana.send({ type: 'ops', data: [op] });
    const first = await ana.next<AckFrame>(isAck);
    ana.send({ type: 'ops', data: [op] });
    const again = await ana.next<AckFrame>(isAck);
    expect(again).toEqual(first);
    expect(first.seqs).toEqual([2]); // created, then Ben added
    expect(await count('SELECT count(*)::int AS n FROM rooms WHERE id = $1', [roomId])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM room_events WHERE room_id = $1', [roomId])).toBe(2);
    // Someone else minting the same id gets a conflict, not the room.
    const taken = await sendOp(ben, { op: 'room.create', room_id: roomId, name: 'Mine', kind: 'group', user_ids: [] });
    expect(taken).toMatchObject({ ok: false, code: 'conflict' });
    await Promise.all([ana.close(), ben.close()]);
  });

  it('[M2] a DM opened from both sides, each without knowing of the other, is one room with the two of them', async () => {
    const ana = await connect();
    const ben = await connect();
    const roomId = dmRoomId(ana.userId, ben.userId);
    expect(dmRoomId(ben.userId, ana.userId)).toBe(roomId);
    const [fromAna, fromBen] = await Promise.all([
      sendOp(ana, { op: 'room.create', room_id: roomId, name: '', kind: 'dm', user_ids: [ben.userId] }),
      sendOp(ben, { op: 'room.create', room_id: roomId, name: '', kind: 'dm', user_ids: [ana.userId] }),
    ]);
    expect(fromAna.ok && fromBen.ok).toBe(true);
    expect(await count('SELECT count(*)::int AS n FROM room_members WHERE room_id = $1', [roomId])).toBe(2);
    // A made-up DM id, or a DM with a third person in it, is refused.
    expect(await sendOp(ana, { op: 'room.create', room_id: 'dm-made-up', name: '', kind: 'dm', user_ids: [ben.userId] })).toMatchObject({ ok: false, code: 'invalid_op' });
    await Promise.all([ana.close(), ben.close()]);
  });

  it('[S4][P11] a message sent right behind the op that creates its room, on the same socket, is stored in it', async () => {
    const ana = await connect();
    const roomId = ulid().toLowerCase();
    const create = opItem({ op: 'room.create', room_id: roomId, name: 'Fresh', kind: 'group', user_ids: [] });
    const message = item('first words', { room_id: roomId });
    ana.send({ type: 'ops', data: [create] });
    ana.send({ type: 'messages', data: [message] });
    const acks = [await ana.next<AckFrame>(isAck), await ana.next<AckFrame>(isAck)];
    expect(acks.map((ack) => ack.client_ids[0])).toEqual([create.client_id, message.client_id]);
    expect(acks[1].seqs).toEqual([2]);
    expect(ana.all('rejected')).toEqual([]);
    await ana.close();
  });

  it('[M1][P7] owners rename and delete; other members are refused with forbidden (403 over REST); general cannot be left or renamed', async () => {
    const ana = await connect();
    const ben = await connect();
    const roomId = await createRoom(ana, { name: 'Plans', userIds: [ben.userId] });
    expect(await sendOp(ben, { op: 'room.update', room_id: roomId, name: 'Mine now' })).toMatchObject({ ok: false, code: 'forbidden' });
    expect((await api(server.baseUrl, ben.hello.token, 'PATCH', `/v1/rooms/${roomId}`, { name: 'Mine now' })).status).toBe(403);
    expect(await sendOp(ben, { op: 'room.delete', room_id: roomId })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await sendOp(ben, { op: 'member.remove', room_id: roomId, user_ids: [ana.userId] })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await sendOp(ana, { op: 'room.update', room_id: roomId, name: 'Plans 2' })).toMatchObject({ ok: true });
    expect((await api(server.baseUrl, ben.hello.token, 'GET', `/v1/rooms/${roomId}`)).body).toMatchObject({ name: 'Plans 2', owner_id: ana.userId });
    expect(await sendOp(ben, { op: 'member.remove', room_id: 'general', user_ids: [ben.userId] })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await sendOp(ben, { op: 'room.update', room_id: 'general', name: 'Mine' })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await sendOp(ana, { op: 'room.delete', room_id: roomId })).toMatchObject({ ok: true });
    // Deleted: gone for everyone, members included (M3).
    expect((await api(server.baseUrl, ben.hello.token, 'GET', `/v1/chat/messages?room_id=${roomId}`)).status).toBe(404);
    ben.send({ type: 'messages', data: [item('anyone?', { room_id: roomId })] });
    expect(await ben.next((f) => f.type === 'rejected')).toMatchObject({ code: 'unknown_room' });
    await Promise.all([ana.close(), ben.close()]);
  });

  it('[M1][E2][M4] public rooms are joined from the list; joining, adding, leaving and removing are log entries in the timeline', async () => {
    const ana = await connect();
    const ben = await connect();
    const cleo = await connect();
    const roomId = await createRoom(ana, { kind: 'public', name: 'Open' });
    const listed = await api(server.baseUrl, cleo.hello.token, 'GET', '/v1/rooms?discover=public');
    expect((listed.body.data as { id: string }[]).map((room) => room.id)).toContain(roomId);
    expect(await sendOp(ben, { op: 'member.add', room_id: roomId, user_ids: [ben.userId] })).toMatchObject({ ok: true });
    expect(await sendOp(ben, { op: 'member.add', room_id: roomId, user_ids: [cleo.userId] })).toMatchObject({ ok: true });
    expect(await sendOp(cleo, { op: 'member.remove', room_id: roomId, user_ids: [cleo.userId] })).toMatchObject({ ok: true });
    expect(await sendOp(ana, { op: 'member.remove', room_id: roomId, user_ids: [ben.userId] })).toMatchObject({ ok: true });
    // Joining twice changes nothing, and says so with the room's seq.
    const again = await sendOp(ana, { op: 'member.add', room_id: roomId, user_ids: [ana.userId] });
    expect(again).toMatchObject({ ok: true, seq: 5 });
    const { rows } = await db.pool.query<{ seq: number; data: { action?: string; user_ids?: string[] } }>(
      'SELECT seq::int AS seq, data FROM room_events WHERE room_id = $1 ORDER BY seq',
      [roomId],
    );
    expect(rows.map((row) => row.data.action ?? 'created')).toEqual(['created', 'joined', 'added', 'left', 'removed']);
    await Promise.all([ana.close(), ben.close(), cleo.close()]);
  });
});

describe('membership and delivery (M3, M4, M5, S6)', () => {
  it('[M4][M5][S6] a member added while connected hears the room at once; one who leaves stops receiving at once, on every socket and instance', async () => {
    const ana = await connect();
    const ben = await connect();
    const benElsewhere = await connect(ben.hello.token, second);
    const roomId = await createRoom(ana, { name: 'Crew' });
    expect(await sendOp(ana, { op: 'member.add', room_id: roomId, user_ids: [ben.userId] })).toMatchObject({ ok: true });
    for (const socket of [ben, benElsewhere]) {
      await socket.next((f) => f.type === 'events' && (f as EventsFrame).data.some((e) => e.kind === 'member' && e.action === 'added'));
    }
    ana.send({ type: 'messages', data: [item('hello crew', { room_id: roomId })] });
    for (const socket of [ben, benElsewhere]) await socket.next((f) => f.type === 'messages' && f.data.some((m) => m.content === 'hello crew'));

    expect(await sendOp(ben, { op: 'member.remove', room_id: roomId, user_ids: [ben.userId] })).toMatchObject({ ok: true });
    // Among every frame so far: the broadcast may come before the ack that sendOp waited for (and took).
    const left = (f: ServerFrame) => f.type === 'events' && (f as EventsFrame).data.some((e) => e.kind === 'member' && e.action === 'left');
    for (const socket of [ben, benElsewhere]) await waitFor(() => socket.frames.some(left), 5_000, 'the "left" entry');
    ana.send({ type: 'messages', data: [item('after ben left', { room_id: roomId })] });
    await ana.next((f) => f.type === 'messages' && f.data.some((m) => m.content === 'after ben left'));
    // Ana's socket got it; give the other instance its fan-out turn too, then look.
    const probe = await connect(ana.hello.token, second);
    probe.send({ type: 'sync', room_id: roomId, after_seq: 0 });
    await probe.next((f) => f.type === 'synced');
    await second.app.fanout.settled();
    for (const socket of [ben, benElsewhere]) {
      expect(socket.all('messages').flatMap((f) => f.data).map((m) => m.content)).not.toContain('after ben left');
    }
    // And Ben may no longer post there (P7 unknown_room, M3).
    ben.send({ type: 'messages', data: [item('let me back', { room_id: roomId })] });
    expect(await ben.next((f) => f.type === 'rejected')).toMatchObject({ code: 'unknown_room' });
    await Promise.all([ana.close(), ben.close(), benElsewhere.close(), probe.close()]);
  });

  it('[M5][P6][E1][E2] one sync over many rooms: the rooms frame lists every room of the user; each named room gets exactly what it missed (messages and membership entries, in seq order); rooms new to the device their newest page; a room left is not listed', async () => {
    const ana = await connect();
    const ben = await connect();
    const rooms = [await createRoom(ana, { name: 'One', userIds: [ben.userId] }), await createRoom(ana, { name: 'Two', userIds: [ben.userId] })];
    const gone = await createRoom(ana, { name: 'Gone', userIds: [ben.userId] });
    for (const roomId of rooms) {
      ana.send({ type: 'messages', data: [item(`before ${roomId}`, { room_id: roomId })] });
      await ana.next(isAck);
    }
    const cursors = rooms.map((roomId) => ({ room_id: roomId, after_seq: 3 }));
    // While Ben is away: messages, someone joins, Ben leaves a room, a new room with Ben.
    const cleo = await connect();
    ana.send({ type: 'messages', data: [item('missed 1', { room_id: rooms[0] })] });
    await ana.next(isAck);
    expect(await sendOp(ana, { op: 'member.add', room_id: rooms[0], user_ids: [cleo.userId] })).toMatchObject({ ok: true });
    ana.send({ type: 'messages', data: [item('missed 2', { room_id: rooms[0] })] });
    await ana.next(isAck);
    expect(await sendOp(ben, { op: 'member.remove', room_id: gone, user_ids: [ben.userId] })).toMatchObject({ ok: true });
    const fresh = await createRoom(ana, { name: 'Fresh', userIds: [ben.userId] });
    await ben.close();

    const back = await connect(ben.hello.token);
    back.send({ type: 'sync', rooms: [...cursors, { room_id: gone, after_seq: 3 }] });
    const list = await back.next<RoomsFrame>((f) => f.type === 'rooms');
    expect(list.data.map((room) => room.id).sort()).toEqual(['general', ...rooms, fresh].sort());
    expect(list.users.map((user) => user.id)).toContain(cleo.userId);
    const synced = new Map<string, SyncedFrame>();
    while (synced.size < list.data.length) {
      const frame = await back.next<SyncedFrame>((f) => f.type === 'synced');
      synced.set(frame.room_id, frame);
    }
    const logOf = (roomId: string) =>
      back.frames
        .filter((f) => f.type === 'messages' || f.type === 'events')
        .flatMap((f) => (f as EventsFrame).data)
        .filter((entry) => entry.room_id === roomId)
        .map((entry) => entry.seq)
        // A room's entries may reach a socket live too, when their fan-out comes after it subscribed (P6: clients dedupe by seq).
        .filter((seq, i, seqs) => seqs.indexOf(seq) === i);
    expect(logOf(rooms[0])).toEqual([4, 5, 6]);
    expect(eventsOf(back, rooms[0]).map((e) => e.seq)).toEqual([5]);
    expect(logOf(rooms[1])).toEqual([]);
    expect(synced.get(rooms[0])).toEqual({ type: 'synced', room_id: rooms[0], seq: 6 });
    // New to this device: its newest page, and whether anything is older.
    expect(logOf(fresh)).toEqual([1, 2]);
    expect(synced.get(fresh)).toMatchObject({ seq: 2, has_older: false });
    expect(logOf(gone)).toEqual([]);
    expect(synced.has(gone)).toBe(false);
    await Promise.all([ana.close(), back.close(), cleo.close()]);
  });
});

describe('REST twins (P12)', () => {
  it('[P12][E3] room and membership REST twins apply once per Idempotency-Key and answer the room', async () => {
    const ana = await connect();
    const ben = await connect();
    const key = ulid();
    const body = { name: 'Book club', kind: 'group', user_ids: [ben.userId] };
    const first = await api(server.baseUrl, ana.hello.token, 'POST', '/v1/rooms', body, { 'idempotency-key': key });
    const again = await api(server.baseUrl, ana.hello.token, 'POST', '/v1/rooms', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(first.body).toMatchObject({ name: 'Book club', kind: 'group', owner_id: ana.userId, members: [ana.userId, ben.userId], member_count: 2 });
    const roomId = first.body.id as string;
    expect(await count('SELECT count(*)::int AS n FROM rooms WHERE owner_id = $1', [ana.userId])).toBe(1);

    const cleo = await connect();
    expect((await api(server.baseUrl, ana.hello.token, 'POST', `/v1/rooms/${roomId}/members`, { user_ids: [cleo.userId] })).body).toMatchObject({ member_count: 3 });
    expect((await api(server.baseUrl, ana.hello.token, 'PATCH', `/v1/rooms/${roomId}`, { name: 'Books' })).body).toMatchObject({ name: 'Books' });
    expect((await api(server.baseUrl, ana.hello.token, 'DELETE', `/v1/rooms/${roomId}/members/${cleo.userId}`)).status).toBe(204);
    const mine = await api(server.baseUrl, ben.hello.token, 'GET', '/v1/rooms');
    expect((mine.body.data as { id: string }[]).map((room) => room.id)).toContain(roomId);
    const dm = await api(server.baseUrl, ben.hello.token, 'POST', '/v1/dms', { user_id: ana.userId });
    expect(dm.body).toMatchObject({ id: dmRoomId(ana.userId, ben.userId), kind: 'dm', member_count: 2 });
    expect((await api(server.baseUrl, ana.hello.token, 'DELETE', `/v1/rooms/${roomId}`)).status).toBe(204);
    expect((await api(server.baseUrl, ben.hello.token, 'GET', `/v1/rooms/${roomId}`)).status).toBe(404);
    await Promise.all([ana.close(), ben.close(), cleo.close()]);
  });

  it('[A5] every identity has a generated name and colour; people are found by name and looked up by id', async () => {
    const ana = await connect();
    const ben = await connect();
    const byId = await api(server.baseUrl, ana.hello.token, 'GET', `/v1/users?ids=${ben.userId}`);
    const benProfile = (byId.body.data as { id: string; display_name: string; color: string }[])[0];
    expect(benProfile.display_name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(benProfile.color).toEqual(expect.any(String));
    const word = benProfile.display_name.split(' ')[1].slice(0, 3).toLowerCase();
    const found = await api(server.baseUrl, ana.hello.token, 'GET', `/v1/users?query=${word}`);
    expect((found.body.data as { id: string }[]).map((user) => user.id)).toContain(ben.userId);
    const self = await api(server.baseUrl, ana.hello.token, 'GET', `/v1/users?query=${encodeURIComponent((await api(server.baseUrl, ana.hello.token, 'GET', `/v1/users?ids=${ana.userId}`)).body.data![0] ? 'x' : 'x')}`);
    expect((self.body.data as { id: string }[]).map((user) => user.id)).not.toContain(ana.userId);
    expect((await api(server.baseUrl, undefined, 'GET', '/v1/users?query=a')).status).toBe(401);
    await Promise.all([ana.close(), ben.close()]);
  });
});
