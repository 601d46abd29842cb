import type pg from 'pg';
import { generatedProfile } from './display-names.js';

/** A user's own view of their account (GET /v1/me). */
export interface Me {
  user_id: string;
  /** null while anonymous (A1). */
  username: string | null;
  display_name: string;
  color: string;
  /** A5: the profile picture's media id, or null. */
  avatar: string | null;
}

export type ClaimResult = 'claimed' | 'taken' | 'already';

/** Share of failed logins that also clear out old failure windows. */
const PRUNE_CHANCE = 0.01;

/** The SQLSTATE of a unique violation: the username is someone else's. */
const UNIQUE_VIOLATION = '23505';

/** Accounts on the users table (A1–A3, A5): usernames are stored lower-case, so unique regardless of case. */
export function createAccountsRepository(pool: pg.Pool) {
  return {
    /**
     * A1: the anonymous identity becomes an account, keeping its user_id.
     * 'already' when it has a username; 'taken' when the name is someone else's.
     */
    async claim(userId: string, username: string, passwordHash: string): Promise<ClaimResult> {
      const profile = generatedProfile(userId);
      try {
        const { rowCount } = await pool.query(
          `INSERT INTO users (id, display_name, color, username, password_hash, claimed_at) VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, password_hash = EXCLUDED.password_hash, claimed_at = now()
            WHERE users.username IS NULL`,
          [userId, profile.display_name, profile.color, username, passwordHash],
        );
        return rowCount === 1 ? 'claimed' : 'already';
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'taken';
        throw error;
      }
    },

    /**
     * A3: seconds until `username` may try again, or 0: held back once it
     * has `max` failures within the window (whatever the password).
     */
    async loginWait(username: string, max: number, windowSeconds: number): Promise<number> {
      const { rows } = await pool.query<{ wait: number }>(
        `SELECT ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now()))::int AS wait
           FROM login_failures WHERE username = $1 AND failures >= $2 AND window_start > now() - make_interval(secs => $3)`,
        [username, max, windowSeconds],
      );
      return rows[0]?.wait ?? 0;
    },

    /** A3: one more failed login for `username`; a window that has passed starts again. */
    async noteLoginFailure(username: string, windowSeconds: number): Promise<void> {
      await pool.query(
        `INSERT INTO login_failures AS f (username, failures, window_start) VALUES ($1, 1, now())
         ON CONFLICT (username) DO UPDATE SET
           failures = CASE WHEN f.window_start > now() - make_interval(secs => $2) THEN f.failures + 1 ELSE 1 END,
           window_start = CASE WHEN f.window_start > now() - make_interval(secs => $2) THEN f.window_start ELSE now() END`,
        [username, windowSeconds],
      );
      // Names tried once and never again would pile up: now and then, drop the windows long past.
      if (Math.random() < PRUNE_CHANCE) await pool.query("DELETE FROM login_failures WHERE window_start < now() - interval '1 day'");
    },

    async clearLoginFailures(username: string): Promise<void> {
      await pool.query('DELETE FROM login_failures WHERE username = $1', [username]);
    },

    /** The user and password hash behind a username, for login. */
    async credentials(username: string): Promise<{ userId: string; passwordHash: string } | null> {
      const { rows } = await pool.query<{ id: string; password_hash: string }>('SELECT id::text, password_hash FROM users WHERE username = $1', [username]);
      return rows[0] ? { userId: rows[0].id, passwordHash: rows[0].password_hash } : null;
    },

    /** Whether the identity has no account yet: its tokens from before sessions existed are still accepted. */
    async isAnonymous(userId: string): Promise<boolean> {
      const { rows } = await pool.query<{ username: string | null }>('SELECT username FROM users WHERE id = $1', [userId]);
      return rows[0]?.username == null;
    },

    async me(userId: string): Promise<Me> {
      const { rows } = await pool.query<Me>('SELECT id::text AS user_id, username, display_name, color, avatar_media_id AS avatar FROM users WHERE id = $1', [userId]);
      if (rows[0]) return rows[0];
      const profile = generatedProfile(userId);
      return { user_id: userId, username: null, display_name: profile.display_name, color: profile.color, avatar: null };
    },

    /**
     * A5: the name others see and the profile picture (a media id, or null
     * for none); a field left undefined stays as it is. A replaced or
     * removed picture's media is left to the cleanup sweep.
     */
    async setProfile(userId: string, changes: { displayName?: string; avatarMediaId?: string | null }): Promise<void> {
      const profile = generatedProfile(userId);
      const setAvatar = changes.avatarMediaId !== undefined;
      await pool.query(
        `INSERT INTO users (id, display_name, color, avatar_media_id) VALUES ($1, COALESCE($2, $3), $4, $5)
         ON CONFLICT (id) DO UPDATE SET
           display_name = COALESCE($2, users.display_name),
           avatar_media_id = CASE WHEN $6 THEN EXCLUDED.avatar_media_id ELSE users.avatar_media_id END`,
        [userId, changes.displayName ?? null, profile.display_name, profile.color, changes.avatarMediaId ?? null, setAvatar],
      );
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
