import { Redirect, Route, Switch } from 'wouter';
import { WhisperChatPage } from '../features/chat/whisper-chat.page';
import { EngineProvider } from '../shared/sync/engine-context';
import { IdentityCard } from './identity-card';
import { Layout } from './layout';
import { CHAT_PATH } from './nav-items';
import { NotFound } from './not-found';
import { UpdatePrompt } from './update-prompt';

/**
 * The root: the sync engine for the whole app (so every page and the update
 * prompt see the same outbox), the shell, and the routes.
 */
export function App() {
  return (
    <EngineProvider>
      <Layout sidebarFooter={<IdentityCard />}>
        <Switch>
          <Route path="/">
            <Redirect to={CHAT_PATH} replace />
          </Route>
          <Route path={CHAT_PATH}>
            <WhisperChatPage />
          </Route>
          <Route>
            <NotFound />
          </Route>
        </Switch>
      </Layout>
      <UpdatePrompt />
    </EngineProvider>
  );
}
