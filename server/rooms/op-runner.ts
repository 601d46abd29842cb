import type pg from 'pg';
import { monotonicFactory } from 'ulid';
import { ErrorCode, type LogEvent, type Op, type OpName } from '../protocol/index.js';

/** What applying an op came to: the log entry that answers it (P3), or a refusal (P7). */
export type OpOutcome =
  | { status: 'applied'; roomId: string; entryId: string; seq: number }
  | { status: 'refused'; code: ErrorCode; message: string };

/** The log entry that answers an op: the last one it made, or (changing nothing) a fresh id naming none and the room's seq. */
export interface OpAnswer {
  entryId: string;
  seq: number;
}

/** A room row as an op sees it, locked FOR UPDATE until the op commits. */
export interface LockedRoom {
  id: string;
  kind: string;
  owner_id: string | null;
  everyone: boolean;
  last_seq: number;
  deleted: boolean;
}

/** A log entry to append; `data` holds its kind's fields (E2). */
export interface NewEntry {
  kind: LogEvent['kind'];
  data: Record<string, unknown>;
}

/** An op the server will never apply as sent (P7); thrown by a handler, it rolls the op back. */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const refuse = {
  unknownRoom: (roomId: string) => new Refusal(ErrorCode.UnknownRoom, `room ${JSON.stringify(roomId)} does not exist`),
  forbidden: (message: string) => new Refusal(ErrorCode.Forbidden, message),
  invalid: (message: string) => new Refusal(ErrorCode.InvalidOp, message),
};

/** Which of these people are members of the room (rows in room_members; `everyone` rooms have none). */
export async function membersAmong(client: pg.PoolClient, roomId: string, userIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ user_id: string }>(
    'SELECT user_id::text AS user_id FROM room_members WHERE room_id = $1 AND user_id = ANY($2::uuid[])',
    [roomId, [...userIds]],
  );
  return new Set(rows.map((row) => row.user_id));
}

/** What a handler works with: the op's own transaction, and the acting user. */
export interface OpTransaction {
  readonly client: pg.PoolClient;
  readonly userId: string;
  /** The room row, locked until COMMIT (S2: every change to a room takes this lock), or null if there is none. */
  lockRoom(roomId: string): Promise<LockedRoom | null>;
  isMember(room: LockedRoom, userId: string): Promise<boolean>;
  /** The room, locked, as the actor may act on it: refused alike when missing, deleted or not theirs (M3). */
  roomOfMember(roomId: string): Promise<LockedRoom>;
  /** Appends entries to the room's log with the next seqs, announced to every instance at COMMIT (S6). */
  /**
   * `activity: false` for entries that change a message (an edit, a delete,
   * a reaction): they move the log on, not the room's place in the list (M6).
   */
  append(room: LockedRoom, entries: NewEntry[], options?: { activity?: boolean }): Promise<OpAnswer>;
  /** The answer for an op that changed nothing (joining again, reacting twice): no entry, the room's seq. */
  unchanged(room: LockedRoom): OpAnswer;
  /** The answer for an op that makes no log entry by nature (a read marker): a fresh id naming none, and `seq`. */
  noEntry(seq: number): OpAnswer;
  /** Runs `effect` once the op has committed (never if it rolls back): announcements of what is not a log entry. */
  afterCommit(effect: () => void): void;
}

export type OpHandler<Name extends OpName> = (tx: OpTransaction, op: Extract<Op, { op: Name }>) => Promise<OpAnswer>;
/** The ops one domain handles, by name. */
export type OpHandlers = { [Name in OpName]?: OpHandler<Name> };

/**
 * `idempotentByNature`: ops that applying twice leaves as applying once
 * (moving a marker to max(marker, seq): L3). E3 holds for them without
 * applied_ops, so they skip its lock, lookup and row: a reader sends one
 * every time new messages reach the screen, and each would be a row kept
 * for good.
 */
export interface RegisterOptions {
  idempotentByNature?: readonly OpName[];
}

/**
 * P11: the one way an op is applied, whatever its domain (rooms and
 * membership, message actions) and however it came (the `ops` frame, a REST
 * twin, the seed). Each op runs in a transaction of its own under the room
 * row's lock, the lock messages take too, so its log entries' seqs follow
 * commit order (S2) and a member removed a moment ago cannot act after it
 * (M4). Every op is applied once per (user_id, client_id) (E3): its outcome
 * is recorded in applied_ops, an op that changed nothing included, and a
 * resend is answered from there.
 */
export function createOpRunner(pool: pg.Pool, channel: string) {
  const nextId = monotonicFactory();
  const handlers = new Map<string, OpHandler<OpName>>();

  const natural = new Set<string>();

  function transaction(client: pg.PoolClient, userId: string, clientId: string, effects: (() => void)[]): OpTransaction {
    const tx: OpTransaction = {
      client,
      userId,
      async lockRoom(roomId) {
        const { rows } = await client.query<LockedRoom>(
          `SELECT id, kind, owner_id::text AS owner_id, everyone, last_seq, deleted_at IS NOT NULL AS deleted
             FROM rooms WHERE id = $1 FOR UPDATE`,
          [roomId],
        );
        return rows[0] ?? null;
      },
      async isMember(room, memberId) {
        return room.everyone || (await membersAmong(client, room.id, [memberId])).has(memberId);
      },
      async roomOfMember(roomId) {
        const room = await tx.lockRoom(roomId);
        if (!room || room.deleted || !(await tx.isMember(room, userId))) throw refuse.unknownRoom(roomId);
        return room;
      },
      async append(room, entries, { activity = true } = {}) {
        let seq = room.last_seq;
        let last: OpAnswer = { entryId: '', seq };
        for (const entry of entries) {
          seq++;
          const id = nextId();
          await client.query(
            'INSERT INTO room_events (id, room_id, seq, user_id, client_id, kind, data) VALUES ($1, $2, $3, $4, $5, $6, $7)',
            [id, room.id, seq, userId, clientId, entry.kind, entry.data],
          );
          last = { entryId: id, seq };
        }
        await client.query('UPDATE rooms SET last_seq = $2, last_activity_at = CASE WHEN $3 THEN now() ELSE last_activity_at END WHERE id = $1', [
          room.id,
          seq,
          activity,
        ]);
        await client.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ r: room.id, a: room.last_seq + 1, b: seq })]);
        room.last_seq = seq;
        return last;
      },
      unchanged: (room) => tx.noEntry(room.last_seq),
      noEntry: (seq) => ({ entryId: nextId(), seq }),
      afterCommit: (effect) => void effects.push(effect),
    };
    return tx;
  }

  return {
    /** Adds a domain's ops; each name is handled once. */
    register(ops: OpHandlers, { idempotentByNature = [] }: RegisterOptions = {}): void {
      for (const [name, handler] of Object.entries(ops)) {
        if (handlers.has(name)) throw new Error(`op ${name} is already handled`);
        handlers.set(name, handler as OpHandler<OpName>);
      }
      for (const name of idempotentByNature) natural.add(name);
    },

    /** Applies one op for `userId`; resolves after COMMIT (S4) with the entry that answers it, or a refusal. */
    async apply(userId: string, op: Op): Promise<OpOutcome> {
      const handler = handlers.get(op.op);
      if (!handler) return { status: 'refused', code: ErrorCode.InvalidOp, message: `op ${JSON.stringify(op.op)} is not one this server applies` };
      const recorded = !natural.has(op.op);
      const effects: (() => void)[] = [];
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (recorded) {
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
        }
        let result: OpAnswer;
        try {
          result = await handler(transaction(client, userId, op.client_id, effects), op);
        } catch (error) {
          await client.query('ROLLBACK');
          if (error instanceof Refusal) return { status: 'refused', code: error.code, message: error.message };
          throw error;
        }
        if (recorded) {
          await client.query('INSERT INTO applied_ops (user_id, client_id, op, room_id, entry_id, seq) VALUES ($1, $2, $3, $4, $5, $6)', [
            userId,
            op.client_id,
            op.op,
            op.room_id,
            result.entryId,
            result.seq,
          ]);
        }
        await client.query('COMMIT');
        for (const effect of effects) effect();
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

export type OpRunner = ReturnType<typeof createOpRunner>;
