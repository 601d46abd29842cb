import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Room } from '@whisper/protocol';
import { ulid } from 'ulid';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MetaKey, WhisperDatabase } from '../shared/db/whisper-db';
import { EngineProvider } from '../shared/sync/engine-context';
import { Layout } from './layout';
import { AppRoutes } from './routes';

const ME = '11111111-1111-4111-8111-111111111111';
let db: WhisperDatabase;

function room(id: string, name: string, kind: Room['kind'], minutesAgo: number): Room {
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return { id, name, kind, owner_id: null, members: [], member_count: 3, last_seq: 0, last_activity_at: at, last_message: null, created_at: at };
}

/** jsdom has no matchMedia: a phone (below md) unless `desktop`. */
function setViewport(desktop: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: desktop && query.includes('min-width: 48rem'),
    media: query,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  }));
}

beforeEach(async () => {
  db = new WhisperDatabase(`layout-test-${ulid()}`);
  await db.meta.put({ key: MetaKey.identity, value: { user_id: ME, token: 'token' } });
  await db.rooms.bulkPut([room('general', 'general', 'public', 60), room('trip', 'Trip', 'group', 5)]);
  // Offline, so the engine opens no socket.
  Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
});

afterEach(async () => {
  delete (navigator as unknown as Record<string, unknown>).onLine;
  vi.unstubAllGlobals();
  db.close();
  await db.delete();
});

/** The shell and the routes, as the app composes them, at `path`. */
async function renderApp(path: string, { desktop = false } = {}) {
  setViewport(desktop);
  const location = memoryLocation({ path, record: true });
  await act(async () => {
    render(
      <EngineProvider db={db} origin="http://localhost:3000">
        <Router hook={location.hook}>
          <Layout>
            <AppRoutes />
          </Layout>
        </Router>
      </EngineProvider>,
    );
  });
  const nav = await screen.findByRole('navigation', { name: 'Rooms' });
  await within(nav).findByRole('link', { name: 'Trip' });
  return { nav, location };
}

describe('the app shell', () => {
  it('[C9][M6] lists the rooms in a "Rooms" navigation, links named after the rooms, newest activity first; the open room is current', async () => {
    const { nav } = await renderApp('/rooms/trip', { desktop: true });
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.getAttribute('href'))).toEqual(['/rooms/trip', '/rooms/general']);
    expect(within(nav).getByRole('link', { name: 'Trip' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'general' })).not.toHaveAttribute('aria-current');
    expect(screen.getByRole('button', { name: 'New room' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Browse public rooms' })).toBeInTheDocument();
  });

  it('[C9] one URL per room: /rooms/{id} opens that room, with its composer', async () => {
    await renderApp('/rooms/trip', { desktop: true });
    expect(await screen.findByRole('heading', { level: 1, name: 'Trip' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Room details' })).toBeInTheDocument();
  });

  it('on a desktop / and the seed\'s /chat open general beside the list', async () => {
    const { location } = await renderApp('/', { desktop: true });
    expect(location.history?.at(-1)).toBe('/rooms/general');
    expect(await screen.findByRole('heading', { level: 1, name: 'general' })).toBeInTheDocument();
  });

  it('on a phone / is the room list alone; a room takes the screen, and its back button returns to the list', async () => {
    const user = userEvent.setup();
    const { nav, location } = await renderApp('/');
    expect(location.history?.at(-1)).toBe('/');
    expect(screen.getByRole('complementary', { name: 'Sidebar' })).not.toHaveClass('hidden');
    expect(screen.getByRole('main')).toHaveClass('hidden');

    await user.click(within(nav).getByRole('link', { name: 'Trip' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Trip' })).toBeInTheDocument();
    expect(screen.getByRole('complementary', { name: 'Sidebar' })).toHaveClass('hidden');
    expect(screen.getByRole('main')).not.toHaveClass('hidden');

    await user.click(screen.getByRole('button', { name: 'Back to rooms' }));
    expect(location.history?.at(-1)).toBe('/');
    expect(screen.getByRole('main')).toHaveClass('hidden');
  });

  it('on a phone the seed\'s /chat is general too', async () => {
    const { location } = await renderApp('/chat');
    expect(location.history?.at(-1)).toBe('/rooms/general');
  });

  it('a room that is not yours says so, with the way back', async () => {
    await renderApp('/rooms/nope', { desktop: true });
    expect(await screen.findByRole('heading', { level: 1, name: 'This room isn’t available' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
  });

  it('the skip link comes first and sits in the flow above the shell, not over it', async () => {
    await renderApp('/rooms/general', { desktop: true });
    const skip = screen.getByRole('link', { name: 'Skip to content' });
    expect(skip).toHaveAttribute('href', '#main');
    expect(skip.className).not.toMatch(/focus:(fixed|absolute)/);
    expect(skip.className).toMatch(/focus:not-sr-only/);
  });
});
