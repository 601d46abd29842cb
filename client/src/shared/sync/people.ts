import { useLiveQuery } from 'dexie-react-hooks';
import type { User } from '@whisper/protocol';
import { metaTable } from '../db/meta.table';
import { usersTable } from '../db/users.table';
import { useEngine } from './engine-context';
import { personOf } from './names';
import { useWantPeople } from './want-people';

/** A person (A5); a neutral name while the device has none for them yet (never a UUID); undefined while loading or for no id. */
export function useUser(userId: string | null | undefined): User | undefined {
  const { db } = useEngine();
  const found = useLiveQuery(async () => (userId ? { user: await usersTable.get(db, userId) } : null), [db, userId]);
  useWantPeople(userId && found && !found.user ? [userId] : undefined);
  if (!userId || !found) return undefined;
  return found.user ?? personOf(new Map(), userId);
}

/** The user of this device: their id once the server gave one (P1), and their profile once known. */
export function useMe(): { userId: string | undefined; profile: User | undefined } {
  const { db } = useEngine();
  const userId = useLiveQuery(() => metaTable.myUserId(db), [db]);
  const profile = useUser(userId);
  return { userId, profile };
}
