import { useCallback } from 'react';
import { useEngine } from '../../shared/sync/engine-context';
import type { SearchPeople } from './components/people-picker';

/** The engine's people search (GET /v1/users?query=), stable: the picker searches again whenever it changes. */
export function useSearchPeople(): SearchPeople {
  const engine = useEngine();
  return useCallback((query: string) => engine.searchUsers(query), [engine]);
}
