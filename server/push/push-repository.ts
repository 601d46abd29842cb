import type pg from 'pg';
import { UNREAD_COUNT_CAP } from '../protocol/index.js';

/** Devices (subscriptions) a user may have notified at once; subscribing another drops the oldest. */
export const MAX_PUSH_DEVICES = 10;

/** A subscription as the sender needs it. */
export interface PushTarget {
  id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_id: string;
  previews: boolean;
  /** The user's unread count over all their rooms (M6's per-room counts, summed), for the badge. */
  unread: number;
}

export interface NewSubscription {
  endpoint: string;
  userId: string;
  sessionId: string;
  p256dh: string;
  auth: string;
  previews: boolean;
}

/**
 * The user's unread count, as the app badge shows it (each room's count
 * capped at UNREAD_COUNT_CAP) summed over the rooms they are in and have
 * not muted; `$user` is
 * the SQL expression naming the user.
 */
const unreadOf = (user: string) => `
  (SELECT coalesce(sum(x.n), 0)::int
     FROM read_markers rm
     JOIN rooms rr ON rr.id = rm.room_id AND rr.deleted_at IS NULL
          AND (rr.everyone OR EXISTS (SELECT 1 FROM room_members mm WHERE mm.room_id = rr.id AND mm.user_id = rm.user_id))
          AND NOT EXISTS (SELECT 1 FROM room_mutes mu WHERE mu.room_id = rr.id AND mu.user_id = rm.user_id)
     CROSS JOIN LATERAL (SELECT count(*) AS n FROM (SELECT 1 FROM messages u
                          WHERE u.room_id = rr.id AND u.seq > rm.read_seq AND u.user_id <> rm.user_id AND u.deleted_at IS NULL
                          LIMIT ${UNREAD_COUNT_CAP}) y) x
    WHERE rm.user_id = ${user})`;

const TARGET_COLUMNS = `s.id::text AS id, s.endpoint, s.p256dh, s.auth, s.user_id::text AS user_id, s.previews, ${unreadOf('s.user_id')} AS unread`;

/** Subscriptions, what they were notified of, mutes, and which room each socket shows (migrations/013). */
export function createPushRepository(pool: pg.Pool, instanceId: string) {
  return {
    /**
     * Stores the device's subscription; an endpoint seen before (renewed
     * keys, another user on that browser) is taken over. A device (session)
     * has one: a new endpoint replaces its old one. A user keeps their
     * MAX_PUSH_DEVICES newest, so nobody can make every message fan out to
     * endpoints of their own choosing.
     */
    async subscribe(sub: NewSubscription): Promise<void> {
      await pool.query(
        `WITH gone AS (DELETE FROM push_subscriptions WHERE session_id = $3 AND endpoint <> $1)
         INSERT INTO push_subscriptions (endpoint, user_id, session_id, p256dh, auth, previews) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, session_id = EXCLUDED.session_id,
           p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, previews = EXCLUDED.previews`,
        [sub.endpoint, sub.userId, sub.sessionId, sub.p256dh, sub.auth, sub.previews],
      );
      await pool.query(
        `DELETE FROM push_subscriptions WHERE user_id = $1 AND id NOT IN
           (SELECT id FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)`,
        [sub.userId, MAX_PUSH_DEVICES],
      );
    },

    /** Removes the user's subscription at this endpoint (someone else's is not theirs to remove). */
    async unsubscribe(userId: string, endpoint: string): Promise<void> {
      await pool.query('DELETE FROM push_subscriptions WHERE endpoint = $1 AND user_id = $2', [endpoint, userId]);
    },

    /** N3: the push service said this subscription is gone. */
    async remove(id: string): Promise<void> {
      await pool.query('DELETE FROM push_subscriptions WHERE id = $1', [id]);
    },

    /**
     * N1: who may be told of a new message in the room: the subscriptions
     * of its members who have not muted it, except those whose device
     * (session) has a socket showing the room on a visible page, on any
     * instance. The senders are left out by the caller (one commit may hold
     * several people's messages).
     */
    async targets(roomId: string): Promise<PushTarget[]> {
      const { rows } = await pool.query<PushTarget>(
        `SELECT ${TARGET_COLUMNS}
           FROM push_subscriptions s
           JOIN rooms r ON r.id = $1 AND r.deleted_at IS NULL
          WHERE (r.everyone OR EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = s.user_id))
            AND NOT EXISTS (SELECT 1 FROM room_mutes mu WHERE mu.room_id = r.id AND mu.user_id = s.user_id)
            AND NOT EXISTS (SELECT 1 FROM push_viewing v WHERE v.room_id = r.id AND v.session_id = s.session_id)`,
        [roomId],
      );
      return rows;
    },

    /** The room's name and kind, and these people's display names, for a notification's title. */
    async titles(roomId: string, userIds: string[]): Promise<{ room: { name: string; kind: string } | null; names: Map<string, string> }> {
      const [room, users] = await Promise.all([
        pool.query<{ name: string; kind: string }>('SELECT name, kind FROM rooms WHERE id = $1', [roomId]),
        pool.query<{ id: string; display_name: string }>('SELECT id::text AS id, display_name FROM users WHERE id = ANY($1::uuid[])', [userIds]),
      ]);
      return { room: room.rows[0] ?? null, names: new Map(users.rows.map((row) => [row.id, row.display_name])) };
    },

    /** Records that the subscription was notified of the room up to `seq`. */
    async notified(subscriptionId: string, roomId: string, seq: number): Promise<void> {
      await pool.query(
        `INSERT INTO push_notified (subscription_id, room_id, seq) VALUES ($1, $2, $3)
         ON CONFLICT (subscription_id, room_id) DO UPDATE SET seq = GREATEST(push_notified.seq, EXCLUDED.seq)`,
        [subscriptionId, roomId, seq],
      );
    },

    /**
     * The user read the room up to `seq`: the subscriptions holding a
     * notification of it that this covers, each taken off the list (one
     * clearing push each, never two).
     */
    async clearable(userId: string, roomId: string, seq: number): Promise<PushTarget[]> {
      const { rows } = await pool.query<PushTarget>(
        `WITH cleared AS (
           DELETE FROM push_notified n USING push_subscriptions s
            WHERE n.subscription_id = s.id AND s.user_id = $1 AND n.room_id = $2 AND n.seq <= $3
           RETURNING n.subscription_id
         )
         SELECT ${TARGET_COLUMNS} FROM push_subscriptions s WHERE s.id IN (SELECT subscription_id FROM cleared)`,
        [userId, roomId, seq],
      );
      return rows;
    },

    /** Sets or clears the user's mute of a room. */
    async setMuted(client: pg.PoolClient, userId: string, roomId: string, muted: boolean): Promise<void> {
      if (muted) await client.query('INSERT INTO room_mutes (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [roomId, userId]);
      else await client.query('DELETE FROM room_mutes WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
    },

    /** The socket shows `roomId` on a visible page (null: nothing). */
    async setViewing(socketId: string, sessionId: string, roomId: string | null): Promise<void> {
      if (roomId === null) {
        await pool.query('DELETE FROM push_viewing WHERE instance_id = $1 AND socket_id = $2', [instanceId, socketId]);
        return;
      }
      await pool.query(
        `INSERT INTO push_viewing (instance_id, socket_id, session_id, room_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, socket_id) DO UPDATE SET room_id = EXCLUDED.room_id`,
        [instanceId, socketId, sessionId, roomId],
      );
    },
  };
}

export type PushRepository = ReturnType<typeof createPushRepository>;
