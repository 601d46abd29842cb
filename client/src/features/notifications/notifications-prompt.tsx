import { lazy, Suspense, useEffect, useState } from 'react';
import { liveQuery } from 'dexie';
import { isOpRow, outboxTable } from '../../shared/db/outbox.table';
import { useEngine } from '../../shared/sync/engine-context';
import { LoadBoundary } from '../../shared/ui/load-boundary';
import { PROMPT_ANSWERED_KEY, readFlag, WROTE_KEY, writeFlag } from './device-flags';
import { forgetOthersSubscription } from './push-subscription';

const NotificationsBanner = lazy(() => import('./notifications-banner'));

/** Whether the browser could still be asked (Web Push there, and no answer to its permission prompt yet). */
function mayAsk(): boolean {
  return typeof Notification !== 'undefined' && typeof PushManager !== 'undefined' && 'serviceWorker' in navigator && Notification.permission === 'default';
}

/**
 * N1 opt-in, never a prompt on first load: once the user has sent a
 * message from this device (a message row in the outbox, noted for later
 * visits), and while the browser has not been asked, the banner (a chunk
 * of its own) offers notifications. "Not now" is remembered per device.
 */
export function NotificationsPrompt() {
  const { db, store } = useEngine();
  useEffect(() => {
    void store
      .getIdentity()
      .then((identity) => identity && forgetOthersSubscription(identity.user_id))
      .catch(() => undefined);
  }, [store]);
  const [wrote, setWrote] = useState(() => readFlag(WROTE_KEY));
  const [answered, setAnswered] = useState(() => readFlag(PROMPT_ANSWERED_KEY) || !mayAsk());
  useEffect(() => {
    if (wrote || answered) return;
    const watch = liveQuery(() => outboxTable.inOrder(db)).subscribe({
      next: (rows) => {
        if (!rows.some((row) => !isOpRow(row))) return;
        writeFlag(WROTE_KEY, true);
        setWrote(true);
      },
      error: () => undefined,
    });
    return () => watch.unsubscribe();
  }, [db, wrote, answered]);
  if (!wrote || answered) return null;
  const done = () => {
    writeFlag(PROMPT_ANSWERED_KEY, true);
    setAnswered(true);
  };
  return (
    <LoadBoundary onError={() => setAnswered(true)}>
      <Suspense fallback={null}>
        <NotificationsBanner onDone={done} />
      </Suspense>
    </LoadBoundary>
  );
}
