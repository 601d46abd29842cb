import type { User } from '@whisper/protocol';
import { metaTable } from '../db/meta.table';
import { usersTable } from '../db/users.table';
import { useEngine } from './engine-context';
import { personOf } from './names';
import { useLiveRead } from './want-people';

/** A person (A5); a neutral name while the device has none for them yet (never a UUID); undefined while loading or for no id. */
export function useUser(userId: string | null | undefined): User | undefined {
  const { db } = useEngine();
  const found = useLiveRead(
    async () => {
      if (!userId) return null;
      const user = await usersTable.get(db, userId);
      return { user, unknownPeople: user ? [] : [userId] };
    },
    [db, userId],
  );
  if (!userId || !found) return undefined;
  return found.user ?? personOf(new Map(), userId);
}

/**
 * The user of this device: their id once the server gave one (P1), and their
 * profile once known. One live query (and one transaction) for both.
 */
export function useMe(): { userId: string | undefined; profile: User | undefined } {
  const { db } = useEngine();
  const me = useLiveRead(
    () =>
      db.transaction('r', [db.meta, db.users], async () => {
        const userId = await metaTable.myUserId(db);
        const user = userId ? await usersTable.get(db, userId) : undefined;
        return { userId, user, unknownPeople: userId && !user ? [userId] : [] };
      }),
    [db],
  );
  const userId = me?.userId;
  return { userId, profile: userId ? (me?.user ?? personOf(new Map(), userId)) : undefined };
}
