import { useCallback, useEffect, useState } from 'react';
import {
  ensurePersistentStorage,
  EXPLICIT_REFUSAL_KEY,
  localFlagStore,
  NOTICE_DISMISSED_KEY,
  presumedPersistence,
  requestPersistence,
  type PersistenceState,
} from './persistent-storage';

function storageManager() {
  return typeof navigator === 'undefined' ? undefined : navigator.storage;
}

export interface PersistentStorage {
  /** The browser's answer; until it comes, the presumed one (presumedPersistence). */
  state: PersistenceState;
  /** The user asked (request) and the browser refused. */
  explicitlyRefused: boolean;
  /** The user dismissed the notice (remembered). */
  dismissed: boolean;
  /** Asks the browser again, on the user's behalf (call it from a click). */
  request: () => Promise<void>;
  dismissNotice: () => void;
}

/** Requests persistent storage once on mount, and on the user's request. */
export function usePersistentStorage(): PersistentStorage {
  const [state, setState] = useState<PersistenceState>(() => presumedPersistence(storageManager(), localFlagStore));
  const [explicitlyRefused, setExplicitlyRefused] = useState(() => localFlagStore.get(EXPLICIT_REFUSAL_KEY) === 'true');
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

  const request = useCallback(async () => {
    const answer = await requestPersistence(storageManager(), localFlagStore);
    setState(answer);
    setExplicitlyRefused(answer === 'denied');
  }, []);

  const dismissNotice = useCallback(() => {
    localFlagStore.set(NOTICE_DISMISSED_KEY, 'true');
    setDismissed(true);
  }, []);

  return { state, explicitlyRefused, dismissed, request, dismissNotice };
}
