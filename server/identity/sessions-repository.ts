import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/** LISTEN/NOTIFY channel on which revoked sessions are announced, so every instance closes their sockets (A4). */
export const SESSIONS_CHANNEL = 'whisper_sessions';

/** The payload: the revoked session ids (a user has a handful of devices, far below NOTIFY's 8000 bytes). */
export interface RevokedNotice {
  s: string[];
}

/** A session's last_seen_at is written at most this often (a hello per reconnect would otherwise write every time). */
const SEEN_RESOLUTION = '1 hour';
/** The longest device label kept. */
const MAX_DEVICE_LENGTH = 200;

/** Device sessions (A4): one per token holder, revocable on every instance at once. */
export function createSessionsRepository(pool: pg.Pool) {
  async function revokeWhere(where: string, params: unknown[]): Promise<string[]> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string }>(`UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL AND ${where} RETURNING id::text`, params);
      // In the same transaction: every instance hears of it once it is true.
      if (rows.length > 0) await client.query('SELECT pg_notify($1, $2)', [SESSIONS_CHANNEL, JSON.stringify({ s: rows.map((row) => row.id) } satisfies RevokedNotice)]);
      await client.query('COMMIT');
      return rows.map((row) => row.id);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    /** A new session of the user on a device. */
    async open(userId: string, device?: string): Promise<string> {
      const id = randomUUID();
      await pool.query('INSERT INTO sessions (id, user_id, device) VALUES ($1, $2, $3)', [id, userId, device?.slice(0, MAX_DEVICE_LENGTH) ?? null]);
      return id;
    },

    /** Whether the session is the user's and not revoked. */
    async isActive(userId: string, sessionId: string): Promise<boolean> {
      const { rowCount } = await pool.query('SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [sessionId, userId]);
      return rowCount === 1;
    },

    /** Notes that the device was seen (a socket's hello), at most once per SEEN_RESOLUTION. */
    async touch(sessionId: string): Promise<void> {
      await pool.query(`UPDATE sessions SET last_seen_at = now() WHERE id = $1 AND last_seen_at < now() - interval '${SEEN_RESOLUTION}'`, [sessionId]);
    },

    /** Logout of one device. */
    revoke: (userId: string, sessionId: string) => revokeWhere('id = $1 AND user_id = $2', [sessionId, userId]),

    /** Logout everywhere (or everywhere else, keeping `except`). */
    revokeAll: (userId: string, except?: string) =>
      except ? revokeWhere('user_id = $1 AND id <> $2', [userId, except]) : revokeWhere('user_id = $1', [userId]),
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
