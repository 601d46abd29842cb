import { useLiveQuery } from 'dexie-react-hooks';
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
      const unsent = await db.outbox.where('status').anyOf('pending', 'sending').count();
      if (unsent > 0) return true;
      const drafts = await db.meta.where('key').startsWith(MetaKey.draft('')).toArray();
      return drafts.some((row) => typeof row.value === 'string' && row.value.trim() !== '');
    }, [db]) ?? false
  );
}
