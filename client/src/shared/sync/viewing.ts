/**
 * N1: which room this device is looking at, as the server needs to know it
 * to skip that room's pushes: the room the page shows while the page is
 * visible, else none (a live socket on a hidden tab does not count as
 * seeing it). Visible, not focused: a room on screen beside another window
 * is being seen. Tells `send` only of changes.
 */
export function createViewingReporter(send: (roomId: string | null) => void, visible: () => boolean) {
  let shown: string | null = null;
  let told: string | null = null;
  const update = () => {
    const now = visible() ? shown : null;
    if (now !== told) send((told = now));
  };
  return {
    /** The room the page shows (null: none, the list alone say). */
    show(roomId: string | null) {
      shown = roomId;
      update();
    },
    /** The page was hidden or shown. */
    update,
  };
}
