import { useCallback, useEffect, useState } from 'react';
import { useEngine } from '../../../shared/sync/engine-context';

/**
 * The composer's text, kept in IndexedDB as it is typed: a reload, a crash or
 * an app update (W2) never loses a half-written message. One draft per room.
 */
export function useDraft(roomId: string): [string, (text: string) => void] {
  const { store } = useEngine();
  const [draft, setDraftState] = useState('');
  useEffect(() => {
    let cancelled = false;
    void store.getDraft(roomId).then((saved) => {
      // Typing may already have started before the read finished; keep it.
      if (!cancelled && saved) setDraftState((current) => current || saved);
    });
    return () => {
      cancelled = true;
    };
  }, [store, roomId]);
  const setDraft = useCallback(
    (text: string) => {
      setDraftState(text);
      void store.setDraft(roomId, text);
    },
    [store, roomId],
  );
  return [draft, setDraft];
}
