import type { User } from '@whisper/protocol';
import type { WhisperDatabase } from './whisper-db';

/** The `users` table: people's names and colours (A5), from `rooms` frames and GET /v1/users. */
export const usersTable = {
  get: (db: WhisperDatabase, userId: string) => db.users.get(userId),
  /** Every cached person: another user takes the device (A2, A4). */
  clear: (db: WhisperDatabase) => db.users.clear(),
  bulkPut: (db: WhisperDatabase, users: User[]) => db.users.bulkPut(users),

  /** The known ones among `userIds`, by id. */
  async byIds(db: WhisperDatabase, userIds: Iterable<string>): Promise<Map<string, User>> {
    const ids = [...new Set(userIds)];
    const users = await db.users.bulkGet(ids);
    return new Map(users.filter((user): user is User => user !== undefined).map((user) => [user.id, user]));
  },
  /** The ones among `userIds` this device has no name for. */
  async unknown(db: WhisperDatabase, userIds: Iterable<string>): Promise<string[]> {
    const ids = [...new Set(userIds)];
    const known = await db.users.bulkGet(ids);
    return ids.filter((_, i) => known[i] === undefined);
  },
};
