import { metaTable } from '../db/meta.table';
import { outboxTable } from '../db/outbox.table';
import { MetaKey, type AccountInfo } from '../db/whisper-db';
import { useEngine } from './engine-context';
import { useLiveValue } from './want-people';

export interface AccountState {
  /** The device's user_id, once the server gave one (P1). */
  userId: string | undefined;
  /** The account's username; null while the identity is anonymous (A1). */
  username: string | null;
}

/** Who the device's identity is as an account (A1, A2); undefined until read. */
export function useAccount(): AccountState | undefined {
  const { db } = useEngine();
  return useLiveValue(
    () =>
      db.transaction('r', db.meta, async () => {
        const userId = await metaTable.myUserId(db);
        const account = await metaTable.get<AccountInfo>(db, MetaKey.account);
        return { userId, username: account && account.user_id === userId ? account.username : null };
      }),
    [db],
  );
}

/**
 * A4: this identity's unsent outbox rows (pending or sending; failed ones
 * wait for a Retry anyway), live; 0 without an identity, undefined until read.
 */
export function useUnsentOfMine(): number | undefined {
  const { db } = useEngine();
  return useLiveValue(async () => {
    const userId = await metaTable.myUserId(db);
    return userId ? outboxTable.countUnsentOf(db, userId) : outboxTable.countUnsent(db);
  }, [db]);
}
