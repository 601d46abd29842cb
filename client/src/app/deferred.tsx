import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { backoffDelay } from '../shared/sync/backoff';
import { AfterStartUp } from './after-start-up';

/**
 * Calls `load` (the import of a lazily loaded chunk) until it resolves, then
 * `onLoad` with its value; returns the way to stop. A chunk that cannot be
 * fetched (the network gone since the page opened, before the service worker
 * had cached it) is tried again as soon as the browser is back online, or
 * after a backoff (the socket's, up to 30 s). Not React.lazy under Suspense:
 * the failure would throw out of Suspense and take the app down with it (see
 * LoadBoundary); here it leaves nothing shown meanwhile.
 */
function keepLoading<T>(load: () => Promise<T>, onLoad: (value: T) => void): () => void {
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tryLoad = () => {
    clearTimeout(timer);
    window.removeEventListener('online', tryLoad);
    load().then(
      (value) => {
        if (!stopped) onLoad(value);
      },
      (error: unknown) => {
        if (stopped) return;
        if (attempt === 0) console.warn('whisper: could not load a part of the app; trying again', error);
        timer = setTimeout(tryLoad, backoffDelay(attempt++));
        window.addEventListener('online', tryLoad);
      },
    );
  };
  tryLoad();
  return () => {
    stopped = true;
    clearTimeout(timer);
    window.removeEventListener('online', tryLoad);
  };
}

/** What `load` resolves with, once it has (null until then), fetched from the first render on (keepLoading). */
export function useChunk<T>(load: () => Promise<T>): T | null {
  const [loaded, setLoaded] = useState<{ value: T } | null>(null);
  useEffect(() => keepLoading(load, (value) => setLoaded({ value })), [load]);
  return loaded?.value ?? null;
}

/**
 * What waits for start-up (after-start-up.tsx) has its code in a chunk of
 * its own (start-up-later.ts): the update prompt with the service worker's
 * registration, the identity card, the storage notice and search's host. The first screen's
 * JavaScript is that much smaller; the chunk is fetched once start-up has
 * settled, by one import for all of them, and they mount together, in one
 * render. The code of the dialogs and the profile sheet is not imported here:
 * evaluating it (Headless UI) would cost the main thread at the end of
 * start-up for a dialog that may never be opened. The service worker this
 * chunk registers fetches it without evaluating it (its precache holds every
 * chunk, and it takes control of the page at its first install), so a dialog
 * still opens offline; a button fetches its dialog when the pointer or focus
 * comes near (lazy-dialog-button.tsx, account-corner.tsx).
 */
const loadLater = () => import('./start-up-later');
type Later = Awaited<ReturnType<typeof loadLater>>;

const LaterContext = createContext<Later | null>(null);

function LoadLater({ onLoad }: { onLoad: (later: Later) => void }) {
  useEffect(() => keepLoading(loadLater, onLoad), [onLoad]);
  return null;
}

/** Around the app: provides the parts that wait for start-up (null until they are loaded) to the slots below. */
export function StartUpLater({ children }: { children: ReactNode }) {
  const [later, setLater] = useState<Later | null>(null);
  return (
    <LaterContext.Provider value={later}>
      {children}
      <AfterStartUp>
        <LoadLater onLoad={setLater} />
      </AfterStartUp>
    </LaterContext.Provider>
  );
}

/** W2/W1: the update prompt, which also registers the service worker. */
export function LaterUpdatePrompt() {
  const later = useContext(LaterContext);
  return later ? <later.UpdatePrompt /> : null;
}

/** Who you are, at the foot of the sidebar (before the first hello there is nothing to show anyway). */
export function LaterIdentityCard() {
  const later = useContext(LaterContext);
  return later ? <later.IdentityCard /> : null;
}

/** Q3: the search dialog's host and its Ctrl+K. */
export function LaterSearchHost({ hitPath }: { hitPath: (roomId: string, seq: number) => string }) {
  const later = useContext(LaterContext);
  return later ? <later.SearchHost hitPath={hitPath} /> : null;
}

/** Q3: the magnifier (the sidebar's searches every room, a room bar's that room). */
export function LaterSearchButton({ roomId }: { roomId?: string }) {
  const later = useContext(LaterContext);
  return later ? <later.SearchButton roomId={roomId} /> : null;
}

/** The storage notice: it matters only with unsent work or after a refusal (C1). */
export function LaterStorageNotice() {
  const later = useContext(LaterContext);
  return later ? <later.StorageNotice /> : null;
}

/**
 * N1: the notifications opt-in banner (offered once the user has sent a
 * message from this device, never on a first load), and the listener that
 * opens a clicked notification's room in this window.
 */
export function LaterNotificationsPrompt() {
  const later = useContext(LaterContext);
  return later ? <later.Notifications /> : null;
}
