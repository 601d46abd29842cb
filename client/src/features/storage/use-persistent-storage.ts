import { useCallback, useEffect, useState } from 'react';
import {
  ensurePersistentStorage,
  localFlagStore,
  NOTICE_DISMISSED_KEY,
  presumedPersistence,
  type PersistenceState,
} from './persistent-storage';

function storageManager() {
  return typeof navigator === 'undefined' ? undefined : navigator.storage;
}

export interface PersistentStorage {
  /** The browser's answer; until it comes, the presumed one (presumedPersistence). */
  state: PersistenceState;
  /** The browser refused and the user has not dismissed the notice. */
  showNotice: boolean;
  dismissNotice: () => void;
}

/** Requests persistent storage once on mount and says whether to warn the user. */
export function usePersistentStorage(): PersistentStorage {
  const [state, setState] = useState<PersistenceState>(() => presumedPersistence(storageManager(), localFlagStore));
  const [dismissed, setDismissed] = useState(() => localFlagStore.get(NOTICE_DISMISSED_KEY) === 'true');

  useEffect(() => {
    let cancelled = false;
    void ensurePersistentStorage(storageManager(), localFlagStore).then((answer) => {
      if (!cancelled) setState(answer);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const dismissNotice = useCallback(() => {
    localFlagStore.set(NOTICE_DISMISSED_KEY, 'true');
    setDismissed(true);
  }, []);

  return { state, showNotice: state === 'denied' && !dismissed, dismissNotice };
}
