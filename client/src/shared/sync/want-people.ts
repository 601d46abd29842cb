import { useEffect } from 'react';
import { useEngine } from './engine-context';

/** A5: asks the engine for names of people a hook shows without one (the ids arrive with its live query). */
export function useWantPeople(userIds: readonly string[] | undefined): void {
  const { wantUsers } = useEngine();
  const key = userIds?.join(',') ?? '';
  useEffect(() => {
    if (key) wantUsers(key.split(','));
  }, [key, wantUsers]);
}
