import { useCallback, useEffect, useState } from 'react';
import { ensurePersistentStorage, localFlagStore, NOTICE_DISMISSED_KEY, type PersistenceState } from './persistent-storage';

export interface PersistentStorage {
  /** null until the browser has answered. */
  state: PersistenceState | null;
  /** The browser refused and the user has not dismissed the notice. */
  showNotice: boolean;
  dismissNotice: () => void;
}

/** Requests persistent storage once on mount and says whether to warn the user. */
export function usePersistentStorage(): PersistentStorage {
  const [state, setState] = useState<PersistenceState | null>(null);
  const [dismissed, setDismissed] = useState(() => localFlagStore.get(NOTICE_DISMISSED_KEY) === 'true');

  useEffect(() => {
    let cancelled = false;
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    void ensurePersistentStorage(storage, localFlagStore).then((answer) => {
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
