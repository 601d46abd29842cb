import { useEffect, useRef } from 'react';
import { useEngine } from '../../../shared/sync/engine-context';

/**
 * Tells the engine the newest entry this device has shown in the room
 * (markSeen), which is what the room list's unread counts are measured
 * from: whenever newer entries arrive while the page is visible, and when
 * the page becomes visible again (a tab in the background has shown
 * nothing to anyone).
 */
export function useMarkSeen(roomId: string, entries: ReadonlyArray<{ seq: number | null }>) {
  const engine = useEngine();
  const marked = useRef(0);
  let newest = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const seq = entries[i].seq;
    if (seq !== null) {
      newest = seq;
      break;
    }
  }
  useEffect(() => {
    const mark = () => {
      if (newest > marked.current && document.visibilityState === 'visible') {
        marked.current = newest;
        void engine.markSeen(roomId, newest);
      }
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [engine, roomId, newest]);
}
