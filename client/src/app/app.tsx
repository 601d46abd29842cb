import { EngineProvider } from '../shared/sync/engine-context';
import { AfterStartUp } from './after-start-up';
import { IdentityCard } from './identity-card';
import { Layout } from './layout';
import { AppRoutes } from './routes';
import { UpdatePrompt } from './update-prompt';

/**
 * The root: the sync engine for the whole app (so every page and the update
 * prompt see the same outbox), the shell, and the routes. The identity card
 * waits for start-up too: it sits at the foot of the room list, and on a
 * first visit it has nothing to show before the server's hello anyway.
 */
export function App() {
  return (
    <EngineProvider>
      <Layout
        sidebarFooter={
          <AfterStartUp>
            <IdentityCard />
          </AfterStartUp>
        }
      >
        <AppRoutes />
      </Layout>
      {/*
        The update prompt registers the service worker, which then downloads
        the whole precache, and watches the outbox and drafts for unsent work
        (W2): none of it is on the first screen, so it waits for start-up. Its
        code stays in the main chunk (2 kB): a lazy chunk that fails to load
        (the network gone since the page opened) would throw out of Suspense
        and take the whole app down with it.
      */}
      <AfterStartUp>
        <UpdatePrompt />
      </AfterStartUp>
    </EngineProvider>
  );
}
