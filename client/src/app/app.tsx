import { EngineProvider } from '../shared/sync/engine-context';
import { LaterIdentityCard, LaterUpdatePrompt, StartUpLater } from './deferred';
import { Layout } from './layout';
import { AppRoutes, leaveSeedAddress } from './routes';

leaveSeedAddress();

/**
 * The root: the sync engine for the whole app (so every page and the update
 * prompt see the same outbox), the shell, and the routes. The identity card
 * waits for start-up too: it sits at the foot of the room list, and on a
 * first visit it has nothing to show before the server's hello anyway.
 */
export function App() {
  return (
    <EngineProvider>
      <StartUpLater>
        <Layout sidebarFooter={<LaterIdentityCard />}>
          <AppRoutes />
        </Layout>
        {/*
          The update prompt registers the service worker, which then downloads
          the whole precache, and watches the outbox and drafts for unsent work
          (W2): none of it is on the first screen, so it waits for start-up, and
          so does its code (deferred.tsx: a chunk that cannot be fetched is
          tried again, it never takes the app down).
        */}
        <LaterUpdatePrompt />
      </StartUpLater>
    </EngineProvider>
  );
}
