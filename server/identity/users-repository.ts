import type pg from 'pg';
import type { User } from '../protocol/index.js';
import { generatedProfile } from './display-names.js';

/** Most people one search or lookup returns. */
export const USERS_PAGE_LIMIT = 20;
export const MAX_USER_LOOKUP = 100;

/** LIKE's wildcards in what a user typed are literal characters. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A person's wire fields (A5), from `users`. */
const USER_COLUMNS = 'id::text AS id, display_name, color, avatar_media_id AS avatar';

/** People: their names, colours and profile pictures (A5). */
export function createUsersRepository(pool: pg.Pool) {
  return {
    /**
     * Gives an identity its profile row if it has none (a new identity, or
     * one from before profiles existed). Cheap and idempotent: run on every
     * identity creation and socket connect.
     */
    async ensure(userId: string): Promise<void> {
      const profile = generatedProfile(userId);
      await pool.query('INSERT INTO users (id, display_name, color) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
        profile.id,
        profile.display_name,
        profile.color,
      ]);
    },

    /** The people with these ids; any without a row still get their generated name. */
    async byIds(ids: readonly string[]): Promise<User[]> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      const { rows } = await pool.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [unique]);
      const found = new Map(rows.map((row) => [row.id, row]));
      return unique.map((id) => found.get(id) ?? generatedProfile(id));
    },

    /** People whose name, or a word of it, starts with `query` (case-insensitive), by name. */
    async search(query: string, excludeId: string): Promise<User[]> {
      const prefix = `${escapeLike(query.trim().toLowerCase())}%`;
      const { rows } = await pool.query<User>(
        `SELECT ${USER_COLUMNS} FROM users
          WHERE id <> $2 AND (lower(display_name) LIKE $1 OR lower(display_name) LIKE '% ' || $1)
          ORDER BY lower(display_name), id LIMIT $3`,
        [prefix, excludeId, USERS_PAGE_LIMIT],
      );
      return rows;
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
