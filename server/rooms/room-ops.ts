import type pg from 'pg';
import { monotonicFactory } from 'ulid';
import {
  ErrorCode,
  MAX_ROOM_NAME_LENGTH,
  MemberAction,
  OpName,
  RoomKind,
  dmRoomId,
  type Op,
} from '../protocol/index.js';

/** What applying an op came to: the log entry that answers it (P3), or a refusal (P7). */
export type OpOutcome =
  | { status: 'applied'; roomId: string; entryId: string; seq: number }
  | { status: 'refused'; code: ErrorCode; message: string };

interface LockedRoom {
  id: string;
  kind: string;
  owner_id: string | null;
  everyone: boolean;
  last_seq: number;
  deleted: boolean;
}

interface NewEntry {
  kind: 'member' | 'room';
  data: Record<string, unknown>;
}

class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const unknownRoom = (roomId: string) => new Refusal(ErrorCode.UnknownRoom, `room ${JSON.stringify(roomId)} does not exist`);
const forbidden = (message: string) => new Refusal(ErrorCode.Forbidden, message);
const invalid = (message: string) => new Refusal(ErrorCode.InvalidOp, message);

/** A room name as typed, trimmed; 1–MAX_ROOM_NAME_LENGTH characters of real text. */
function roomName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > MAX_ROOM_NAME_LENGTH) throw invalid(`a room name has 1–${MAX_ROOM_NAME_LENGTH} characters`);
  if (name.includes('\u0000') || !name.isWellFormed()) throw invalid('the room name contains NUL or malformed Unicode');
  return name;
}

/**
 * P11 room and membership ops, each in a transaction of its own under the
 * room row's lock (the same lock messages take, so a log entry's seq follows
 * commit order and a member removed a moment ago cannot post after it: S2,
 * M4). Every op is applied once per (user_id, client_id) (E3); its outcome
 * is recorded in applied_ops and a resend is answered from there.
 */
export function createRoomOps(pool: pg.Pool, channel: string) {
  const nextId = monotonicFactory();

  async function lockRoom(client: pg.PoolClient, roomId: string): Promise<LockedRoom | null> {
    const { rows } = await client.query<LockedRoom>(
      `SELECT id, kind, owner_id::text AS owner_id, everyone, last_seq, deleted_at IS NOT NULL AS deleted
         FROM rooms WHERE id = $1 FOR UPDATE`,
      [roomId],
    );
    return rows[0] ?? null;
  }

  async function membersAmong(client: pg.PoolClient, roomId: string, userIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await client.query<{ user_id: string }>(
      'SELECT user_id::text AS user_id FROM room_members WHERE room_id = $1 AND user_id = ANY($2::uuid[])',
      [roomId, [...userIds]],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  async function isMember(client: pg.PoolClient, room: LockedRoom, userId: string): Promise<boolean> {
    return room.everyone || (await membersAmong(client, room.id, [userId])).has(userId);
  }

  /** The room as the actor may act on it: refused alike when missing, deleted or not theirs (M3). */
  async function roomOfMember(client: pg.PoolClient, roomId: string, userId: string): Promise<LockedRoom> {
    const room = await lockRoom(client, roomId);
    if (!room || room.deleted || !(await isMember(client, room, userId))) throw unknownRoom(roomId);
    return room;
  }

  /** People to add must exist: a member picker cannot add a made-up id. */
  async function requireUsers(client: pg.PoolClient, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE id = ANY($1::uuid[])', [[...userIds]]);
    if (rows[0].n !== userIds.length) throw invalid('user_ids names someone who does not exist');
  }

  /** Appends entries to the room's log with the next seqs, and announces the commit to every instance (S6). */
  async function append(client: pg.PoolClient, room: LockedRoom, actor: string, clientId: string | null, entries: NewEntry[]) {
    let seq = room.last_seq;
    let last = { entryId: '', seq };
    for (const entry of entries) {
      seq++;
      const id = nextId();
      await client.query(
        'INSERT INTO room_events (id, room_id, seq, user_id, client_id, kind, data) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [id, room.id, seq, actor, clientId, entry.kind, entry.data],
      );
      last = { entryId: id, seq };
    }
    await client.query('UPDATE rooms SET last_seq = $2, last_activity_at = now() WHERE id = $1', [room.id, seq]);
    await client.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ r: room.id, a: room.last_seq + 1, b: seq })]);
    room.last_seq = seq;
    return last;
  }

  /** An op that changed nothing (joining again): answered with a fresh id that names no entry, and the room's seq. */
  const unchanged = (room: LockedRoom) => ({ entryId: nextId(), seq: room.last_seq });

  async function create(client: pg.PoolClient, userId: string, op: Extract<Op, { op: 'room.create' }>) {
    const others = [...new Set(op.user_ids)].filter((id) => id !== userId);
    let name: string;
    if (op.kind === RoomKind.Dm) {
      if (others.length !== 1) throw invalid('a DM has exactly one other person in user_ids');
      if (op.room_id !== dmRoomId(userId, others[0])) throw invalid('a DM\'s room_id is dmRoomId(your id, theirs)');
      name = '';
    } else {
      name = roomName(op.name);
    }
    await requireUsers(client, others);
    const inserted = await client.query(
      `INSERT INTO rooms (id, name, kind, owner_id) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [op.room_id, name, op.kind, op.kind === RoomKind.Dm ? null : userId],
    );
    const room = await lockRoom(client, op.room_id);
    if (!room) throw unknownRoom(op.room_id);
    if (inserted.rowCount === 0) {
      // M2: the other person opened the same DM first (both offline, say): it is one room.
      if (room.kind === RoomKind.Dm && op.kind === RoomKind.Dm && !room.deleted && (await isMember(client, room, userId))) {
        const { rows } = await client.query<{ id: string; seq: number }>('SELECT id, seq FROM room_events WHERE room_id = $1 ORDER BY seq LIMIT 1', [room.id]);
        return rows[0] ? { entryId: rows[0].id, seq: rows[0].seq } : unchanged(room);
      }
      throw new Refusal(ErrorCode.Conflict, `room id ${JSON.stringify(op.room_id)} is taken`);
    }
    await client.query(
      `INSERT INTO room_members (room_id, user_id, joined_at)
       SELECT $1, u, clock_timestamp() FROM unnest($2::uuid[]) AS u`,
      [room.id, [userId, ...others]],
    );
    const entries: NewEntry[] = [{ kind: 'room', data: { created: op.kind, name } }];
    if (others.length > 0) entries.push({ kind: 'member', data: { action: MemberAction.Added, user_ids: others } });
    return append(client, room, userId, op.client_id, entries);
  }

  async function update(client: pg.PoolClient, userId: string, op: Extract<Op, { op: 'room.update' }>) {
    const room = await roomOfMember(client, op.room_id, userId);
    if (room.owner_id !== userId) throw forbidden('only the room\'s owner may rename it');
    const name = roomName(op.name);
    await client.query('UPDATE rooms SET name = $2 WHERE id = $1', [room.id, name]);
    return append(client, room, userId, op.client_id, [{ kind: 'room', data: { name } }]);
  }

  async function remove(client: pg.PoolClient, userId: string, op: Extract<Op, { op: 'room.delete' }>) {
    const room = await roomOfMember(client, op.room_id, userId);
    if (room.owner_id !== userId) throw forbidden('only the room\'s owner may delete it');
    const last = await append(client, room, userId, op.client_id, [{ kind: 'room', data: { deleted: true } }]);
    await client.query('UPDATE rooms SET deleted_at = now() WHERE id = $1', [room.id]);
    return last;
  }

  async function addMembers(client: pg.PoolClient, userId: string, op: Extract<Op, { op: 'member.add' }>) {
    const room = await lockRoom(client, op.room_id);
    if (!room || room.deleted) throw unknownRoom(op.room_id);
    const targets = [...new Set(op.user_ids)];
    if (targets.length === 0) throw invalid('user_ids is empty');
    const member = await isMember(client, room, userId);
    if (!member) {
      // M1: anyone may join a public room; nobody learns anything of a group or DM they are not in.
      if (room.kind !== RoomKind.Public) throw unknownRoom(op.room_id);
      if (targets.length !== 1 || targets[0] !== userId) throw forbidden('join a public room before adding people to it');
    }
    if (room.kind === RoomKind.Dm) throw forbidden('a DM has exactly two people');
    if (room.everyone) return unchanged(room);
    await requireUsers(client, targets);
    const present = await membersAmong(client, room.id, targets);
    const added = targets.filter((id) => !present.has(id));
    if (added.length === 0) return unchanged(room);
    await client.query(
      'INSERT INTO room_members (room_id, user_id, joined_at) SELECT $1, u, clock_timestamp() FROM unnest($2::uuid[]) AS u',
      [room.id, added],
    );
    const action = added.length === 1 && added[0] === userId ? MemberAction.Joined : MemberAction.Added;
    return append(client, room, userId, op.client_id, [{ kind: 'member', data: { action, user_ids: added } }]);
  }

  async function removeMembers(client: pg.PoolClient, userId: string, op: Extract<Op, { op: 'member.remove' }>) {
    const room = await roomOfMember(client, op.room_id, userId);
    const targets = [...new Set(op.user_ids)];
    if (targets.length === 0) throw invalid('user_ids is empty');
    if (room.everyone) throw forbidden('everyone is in this room');
    if (room.kind === RoomKind.Dm) throw forbidden('a DM has exactly two people');
    const leaving = targets.length === 1 && targets[0] === userId;
    if (!leaving && room.owner_id !== userId) throw forbidden('only the room\'s owner may remove people');
    const present = [...(await membersAmong(client, room.id, targets))];
    if (present.length === 0) return unchanged(room);
    await client.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = ANY($2::uuid[])', [room.id, present]);
    const data: Record<string, unknown> = { action: leaving ? MemberAction.Left : MemberAction.Removed, user_ids: present };
    if (room.owner_id !== null && present.includes(room.owner_id)) {
      // An owner who leaves hands the room to whoever has been in it longest.
      const { rows } = await client.query<{ user_id: string }>(
        'UPDATE rooms SET owner_id = (SELECT user_id FROM room_members WHERE room_id = $1 ORDER BY joined_at, user_id LIMIT 1) WHERE id = $1 RETURNING owner_id::text AS user_id',
        [room.id],
      );
      data.owner_id = rows[0]?.user_id ?? null;
    }
    return append(client, room, userId, op.client_id, [{ kind: 'member', data }]);
  }

  function run(client: pg.PoolClient, userId: string, op: Op) {
    switch (op.op) {
      case OpName.RoomCreate:
        return create(client, userId, op);
      case OpName.RoomUpdate:
        return update(client, userId, op);
      case OpName.RoomDelete:
        return remove(client, userId, op);
      case OpName.MemberAdd:
        return addMembers(client, userId, op);
      case OpName.MemberRemove:
        return removeMembers(client, userId, op);
    }
  }

  return {
    /** Applies one op for `userId`; resolves after COMMIT (S4) with the entry that answers it, or a refusal. */
    async apply(userId: string, op: Op): Promise<OpOutcome> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // One application per (user_id, client_id), even when the op is
        // resent on another socket while the first is still running.
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${userId}/${op.client_id}`]);
        const done = await client.query<{ room_id: string; entry_id: string; seq: number }>(
          'SELECT room_id, entry_id, seq FROM applied_ops WHERE user_id = $1 AND client_id = $2',
          [userId, op.client_id],
        );
        if (done.rows[0]) {
          await client.query('COMMIT');
          const { room_id, entry_id, seq } = done.rows[0];
          return { status: 'applied', roomId: room_id, entryId: entry_id, seq };
        }
        let result: { entryId: string; seq: number };
        try {
          result = await run(client, userId, op);
        } catch (error) {
          await client.query('ROLLBACK');
          if (error instanceof Refusal) return { status: 'refused', code: error.code, message: error.message };
          throw error;
        }
        await client.query('INSERT INTO applied_ops (user_id, client_id, op, room_id, entry_id, seq) VALUES ($1, $2, $3, $4, $5, $6)', [
          userId,
          op.client_id,
          op.op,
          op.room_id,
          result.entryId,
          result.seq,
        ]);
        await client.query('COMMIT');
        return { status: 'applied', roomId: op.room_id, ...result };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

export type RoomOps = ReturnType<typeof createRoomOps>;
