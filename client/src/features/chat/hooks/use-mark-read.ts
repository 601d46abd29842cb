import { useEffect, useRef } from 'react';

/**
 * L3: moves the user's read marker to the newest stored entry of the room
 * when the reader can see it: the newest messages are in view (`atBottom`)
 * and the page is visible. A tab in the background, or a reader up in the
 * history, has read nothing new; reaching the bottom or bringing the tab
 * back marks it then. `markRead` is the engine's: one coalesced `read` op.
 */
export function useMarkRead(
  roomId: string,
  entries: ReadonlyArray<{ seq: number | null }>,
  atBottom: boolean,
  markRead: (roomId: string, seq: number) => Promise<void>,
) {
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
      if (atBottom && newest > marked.current && document.visibilityState === 'visible') {
        marked.current = newest;
        void markRead(roomId, newest);
      }
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [markRead, roomId, newest, atBottom]);
}
