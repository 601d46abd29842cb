import { ErrorCode, MAX_ROOM_NAME_LENGTH, MemberAction, OpName, RoomKind, dmRoomId, type Op } from '../protocol/index.js';
import { Refusal, membersAmong, refuse, type NewEntry, type OpHandlers, type OpTransaction } from './op-runner.js';

const { unknownRoom, forbidden, invalid } = refuse;

/** A room name as typed, trimmed; 1–MAX_ROOM_NAME_LENGTH characters of real text. */
function roomName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > MAX_ROOM_NAME_LENGTH) throw invalid(`a room name has 1–${MAX_ROOM_NAME_LENGTH} characters`);
  if (name.includes('\u0000') || !name.isWellFormed()) throw invalid('the room name contains NUL or malformed Unicode');
  return name;
}

/** People to add must exist: a member picker cannot add a made-up id. */
async function requireUsers(tx: OpTransaction, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const { rows } = await tx.client.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE id = ANY($1::uuid[])', [[...userIds]]);
  if (rows[0].n !== userIds.length) throw invalid('user_ids names someone who does not exist');
}

async function create(tx: OpTransaction, op: Extract<Op, { op: 'room.create' }>) {
  const { client, userId } = tx;
  const others = [...new Set(op.user_ids)].filter((id) => id !== userId);
  let name: string;
  if (op.kind === RoomKind.Dm) {
    if (others.length !== 1) throw invalid('a DM has exactly one other person in user_ids');
    if (op.room_id !== dmRoomId(userId, others[0])) throw invalid('a DM\'s room_id is dmRoomId(your id, theirs)');
    name = '';
  } else {
    name = roomName(op.name);
  }
  await requireUsers(tx, others);
  const inserted = await client.query(
    `INSERT INTO rooms (id, name, kind, owner_id) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [op.room_id, name, op.kind, op.kind === RoomKind.Dm ? null : userId],
  );
  const room = await tx.lockRoom(op.room_id);
  if (!room) throw unknownRoom(op.room_id);
  if (inserted.rowCount === 0) {
    // M2: the other person opened the same DM first (both offline, say): it is one room.
    if (room.kind === RoomKind.Dm && op.kind === RoomKind.Dm && !room.deleted && (await tx.isMember(room, userId))) {
      const { rows } = await client.query<{ id: string; seq: number }>('SELECT id, seq FROM room_events WHERE room_id = $1 ORDER BY seq LIMIT 1', [room.id]);
      return rows[0] ? { entryId: rows[0].id, seq: rows[0].seq } : tx.unchanged(room);
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
  return tx.append(room, entries);
}

async function update(tx: OpTransaction, op: Extract<Op, { op: 'room.update' }>) {
  const room = await tx.roomOfMember(op.room_id);
  if (room.owner_id !== tx.userId) throw forbidden('only the room\'s owner may rename it');
  const name = roomName(op.name);
  await tx.client.query('UPDATE rooms SET name = $2 WHERE id = $1', [room.id, name]);
  return tx.append(room, [{ kind: 'room', data: { name } }]);
}

async function remove(tx: OpTransaction, op: Extract<Op, { op: 'room.delete' }>) {
  const room = await tx.roomOfMember(op.room_id);
  if (room.owner_id !== tx.userId) throw forbidden('only the room\'s owner may delete it');
  const last = await tx.append(room, [{ kind: 'room', data: { deleted: true } }]);
  await tx.client.query('UPDATE rooms SET deleted_at = now() WHERE id = $1', [room.id]);
  return last;
}

async function addMembers(tx: OpTransaction, op: Extract<Op, { op: 'member.add' }>) {
  const { client, userId } = tx;
  const room = await tx.lockRoom(op.room_id);
  if (!room || room.deleted) throw unknownRoom(op.room_id);
  const targets = [...new Set(op.user_ids)];
  if (targets.length === 0) throw invalid('user_ids is empty');
  const member = await tx.isMember(room, userId);
  if (!member) {
    // M1: anyone may join a public room; nobody learns anything of a group or DM they are not in.
    if (room.kind !== RoomKind.Public) throw unknownRoom(op.room_id);
    if (targets.length !== 1 || targets[0] !== userId) throw forbidden('join a public room before adding people to it');
  }
  if (room.kind === RoomKind.Dm) throw forbidden('a DM has exactly two people');
  if (room.everyone) return tx.unchanged(room);
  await requireUsers(tx, targets);
  const present = await membersAmong(client, room.id, targets);
  const added = targets.filter((id) => !present.has(id));
  if (added.length === 0) return tx.unchanged(room);
  await client.query(
    'INSERT INTO room_members (room_id, user_id, joined_at) SELECT $1, u, clock_timestamp() FROM unnest($2::uuid[]) AS u',
    [room.id, added],
  );
  const action = added.length === 1 && added[0] === userId ? MemberAction.Joined : MemberAction.Added;
  return tx.append(room, [{ kind: 'member', data: { action, user_ids: added } }]);
}

async function removeMembers(tx: OpTransaction, op: Extract<Op, { op: 'member.remove' }>) {
  const { client, userId } = tx;
  const room = await tx.roomOfMember(op.room_id);
  const targets = [...new Set(op.user_ids)];
  if (targets.length === 0) throw invalid('user_ids is empty');
  if (room.everyone) throw forbidden('everyone is in this room');
  if (room.kind === RoomKind.Dm) throw forbidden('a DM has exactly two people');
  const leaving = targets.length === 1 && targets[0] === userId;
  if (!leaving && room.owner_id !== userId) throw forbidden('only the room\'s owner may remove people');
  const present = [...(await membersAmong(client, room.id, targets))];
  if (present.length === 0) return tx.unchanged(room);
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
  return tx.append(room, [{ kind: 'member', data }]);
}

/** P11 room and membership ops (M1–M4), applied by the op runner (op-runner.ts). */
export const roomOps: OpHandlers = {
  [OpName.RoomCreate]: create,
  [OpName.RoomUpdate]: update,
  [OpName.RoomDelete]: remove,
  [OpName.MemberAdd]: addMembers,
  [OpName.MemberRemove]: removeMembers,
};
