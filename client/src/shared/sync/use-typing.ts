import { useCallback, useSyncExternalStore } from 'react';
import { usersTable } from '../db/users.table';
import { useEngine } from './engine-context';
import { personOf } from './names';
import { useLiveRead } from './want-people';

/**
 * L2: the display names of the people typing in the room now (never this
 * user: the server does not send one's own; never a UUID: a neutral name
 * until the device knows theirs, A5), in the order they started.
 */
export function useTyping(roomId: string): string[] {
  const { typing, db } = useEngine();
  const subscribe = useCallback((listener: () => void) => typing.subscribe(roomId, listener), [typing, roomId]);
  const typers = useSyncExternalStore(subscribe, () => typing.typers(roomId));
  const key = typers.join(',');
  const named = useLiveRead(
    async () => {
      const ids = key ? key.split(',') : [];
      const users = await usersTable.byIds(db, ids);
      return { names: ids.map((id) => personOf(users, id).display_name), unknownPeople: ids.filter((id) => !users.has(id)) };
    },
    [db, key],
  );
  // Until the names are read, the ids are not shown (a neutral name for each).
  return named && named.names.length === typers.length ? named.names : typers.map((id) => personOf(new Map(), id).display_name);
}
