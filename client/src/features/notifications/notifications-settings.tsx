import { lazy, Suspense } from 'react';
import { LoadBoundary } from '../../shared/ui/load-boundary';

const Section = lazy(() => import('./notifications-section'));

/** The account sheet's Notifications section, its code fetched when the sheet first shows it. */
export function NotificationsSettings() {
  return (
    <LoadBoundary onError={(error) => console.warn('whisper: could not load the notification settings', error)}>
      <Suspense fallback={null}>
        <Section />
      </Suspense>
    </LoadBoundary>
  );
}
