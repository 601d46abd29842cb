import { useLiveQuery } from 'dexie-react-hooks';
import { metaTable } from '../db/meta.table';
import { outboxTable } from '../db/outbox.table';
import { MetaKey } from '../db/whisper-db';
import { useEngine } from './engine-context';

/**
 * W2: true while anything typed has not reached the server: queued or
 * in-flight outbox rows, or text in a composer. An update must not reload then.
 */
export function useUnsentWork(): boolean {
  const { db } = useEngine();
  return (
    useLiveQuery(async () => {
      if ((await outboxTable.countUnsent(db)) > 0) return true;
      const drafts = await metaTable.byPrefix<unknown>(db, MetaKey.draft(''));
      return [...drafts.values()].some((value) => typeof value === 'string' && value.trim() !== '');
    }, [db]) ?? false
  );
}
