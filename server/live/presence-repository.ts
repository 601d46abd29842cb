import type pg from 'pg';
import { PresenceStatus, type PresenceEntry } from '../protocol/index.js';
import { LIVE_CHANNEL, presenceNotices } from './live-signals.js';

/**
 * Key space (first key) of the per-user advisory locks of presence; the
 * second key is hashtext(user_id). Every "is this user online anywhere?"
 * decision holds it, so two instances never both announce the same change
 * (and never neither). Locks taken for several users are taken in user id
 * order, so no two transactions wait on each other in a circle.
 */
const PRESENCE_LOCK_SPACE = 7_270_114;

type Queryable = Pick<pg.PoolClient, 'query'>;

const offline = (userId: string, at: Date): PresenceEntry => ({ user_id: userId, status: PresenceStatus.Offline, last_seen: at.toISOString() });

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function lockUser(client: Queryable, userId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PRESENCE_LOCK_SPACE, userId]);
}

async function onlineAnywhere(client: Queryable, userId: string): Promise<boolean> {
  const { rows } = await client.query<{ online: boolean }>('SELECT EXISTS (SELECT 1 FROM presence_sockets WHERE user_id = $1) AS online', [userId]);
  return rows[0].online;
}

/** In the transaction that made them true: every instance hears them once they are, in commit order. */
async function announce(client: Queryable, entries: PresenceEntry[]): Promise<void> {
  for (const notice of presenceNotices(entries)) await client.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, notice]);
}

/**
 * Users whose rows were just deleted (`left`, each with the time they were
 * last known to be there) and who have no row left anywhere: recorded as
 * last seen then, and announced offline.
 */
async function settleDepartures(client: Queryable, left: { userId: string; at: Date }[]): Promise<PresenceEntry[]> {
  const gone: PresenceEntry[] = [];
  for (const { userId, at } of [...left].sort((x, y) => (x.userId < y.userId ? -1 : x.userId > y.userId ? 1 : 0))) {
    await lockUser(client, userId);
    if (await onlineAnywhere(client, userId)) continue;
    await client.query('UPDATE users SET last_seen_at = $2 WHERE id = $1', [userId, at]);
    gone.push(offline(userId, at));
  }
  await announce(client, gone);
  return gone;
}

/** L1's rows (migrations/007): this instance's heartbeat and the users it holds sockets of. */
export function createPresenceRepository(pool: pg.Pool, instanceId: string) {
  return {
    /** Refreshes this instance's heartbeat; true when its row was missing (new, or swept as dead meanwhile). */
    async heartbeat(): Promise<boolean> {
      const { rows } = await pool.query<{ inserted: boolean }>(
        `INSERT INTO server_instances (id) VALUES ($1)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
         RETURNING (xmax = 0) AS inserted`,
        [instanceId],
      );
      return rows[0].inserted;
    },

    /** The user has a socket here now; announced online (true) when they had none anywhere. */
    arrive(userId: string): Promise<boolean> {
      return inTransaction(pool, async (client) => {
        await lockUser(client, userId);
        const wasOnline = await onlineAnywhere(client, userId);
        await client.query('INSERT INTO presence_sockets (instance_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [instanceId, userId]);
        if (!wasOnline) await announce(client, [{ user_id: userId, status: PresenceStatus.Online, last_seen: null }]);
        return !wasOnline;
      });
    },

    /** The user has no socket here any more; announced offline (the entry) when they have none anywhere. */
    depart(userId: string): Promise<PresenceEntry | null> {
      return inTransaction(pool, async (client) => {
        await client.query('DELETE FROM presence_sockets WHERE instance_id = $1 AND user_id = $2', [instanceId, userId]);
        const { rows } = await client.query<{ now: Date }>('SELECT now()');
        const [gone] = await settleDepartures(client, [{ userId, at: rows[0].now }]);
        return gone ?? null;
      });
    },

    /** A clean shutdown: this instance and all its rows go, its users with no socket elsewhere offline now. */
    leave(): Promise<PresenceEntry[]> {
      return inTransaction(pool, async (client) => {
        await client.query('DELETE FROM server_instances WHERE id = $1', [instanceId]);
        const { rows } = await client.query<{ user_id: string; now: Date }>(
          'DELETE FROM presence_sockets WHERE instance_id = $1 RETURNING user_id::text, now() AS now',
          [instanceId],
        );
        return settleDepartures(client, rows.map((row) => ({ userId: row.user_id, at: row.now })));
      });
    },

    /**
     * Instances whose heartbeat is older than `ttlMs` are dead (killed, or
     * cut off from the database): their rows go, and their users with no
     * socket elsewhere are offline since that last heartbeat. SKIP LOCKED
     * and DELETE … RETURNING: of the instances sweeping at once, exactly
     * one deletes a dead instance, and only it announces.
     */
    sweep(ttlMs: number): Promise<PresenceEntry[]> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ user_id: string; last_seen: Date }>(
          `WITH dead AS (
             DELETE FROM server_instances
              WHERE id IN (SELECT id FROM server_instances
                            WHERE heartbeat_at < now() - $1 * interval '1 millisecond' AND id <> $2
                              FOR UPDATE SKIP LOCKED)
             RETURNING id, heartbeat_at
           ), gone AS (
             DELETE FROM presence_sockets p USING dead WHERE p.instance_id = dead.id
             RETURNING p.user_id, dead.heartbeat_at
           )
           SELECT user_id::text, max(heartbeat_at) AS last_seen FROM gone GROUP BY user_id`,
          [ttlMs, instanceId],
        );
        return settleDepartures(client, rows.map((row) => ({ userId: row.user_id, at: row.last_seen })));
      });
    },

    /**
     * L1 snapshot for `userId`: everyone sharing a room with them who is
     * online now, and every other member of their DMs and groups, online
     * or not (their last_seen is worth showing); never the user themself.
     */
    async snapshot(userId: string): Promise<PresenceEntry[]> {
      const { rows } = await pool.query<{ user_id: string; online: boolean; last_seen_at: Date | null }>(
        `WITH mine AS (
           SELECT r.id, r.kind, r.everyone FROM rooms r
            WHERE r.deleted_at IS NULL
              AND (r.everyone OR EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = $1))
         ), co AS (
           SELECT m.user_id, bool_or(r.kind <> 'public') AS close
             FROM mine r JOIN room_members m ON m.room_id = r.id
            WHERE m.user_id <> $1
            GROUP BY m.user_id
         ), online AS (
           SELECT DISTINCT p.user_id FROM presence_sockets p
            WHERE p.user_id <> $1
              AND (EXISTS (SELECT 1 FROM mine WHERE mine.everyone) OR p.user_id IN (SELECT user_id FROM co))
         ), wanted AS (
           SELECT user_id FROM online UNION SELECT user_id FROM co WHERE close
         )
         SELECT w.user_id::text, w.user_id IN (SELECT user_id FROM online) AS online, u.last_seen_at
           FROM wanted w LEFT JOIN users u ON u.id = w.user_id
          ORDER BY w.user_id`,
        [userId],
      );
      return rows.map((row) =>
        row.online
          ? { user_id: row.user_id, status: PresenceStatus.Online, last_seen: null }
          : { user_id: row.user_id, status: PresenceStatus.Offline, last_seen: row.last_seen_at?.toISOString() ?? null },
      );
    },
  };
}

export type PresenceRepository = ReturnType<typeof createPresenceRepository>;
