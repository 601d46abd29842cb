import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ulid } from 'ulid';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WhisperDatabase } from '../shared/db/whisper-db';
import { EngineProvider } from '../shared/sync/engine-context';
import { Layout } from './layout';

let db: WhisperDatabase;

beforeEach(() => {
  db = new WhisperDatabase(`layout-test-${ulid()}`);
  // Offline, so the engine the storage notice reads through opens no socket.
  Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
});

afterEach(async () => {
  delete (navigator as unknown as Record<string, unknown>).onLine;
  db.close();
  await db.delete();
});

/** Renders inside act so the storage notice's async persist() check settles before assertions. */
async function renderLayout(path = '/chat') {
  const { hook } = memoryLocation({ path });
  await act(async () => {
    render(
      <EngineProvider db={db} origin="http://localhost:3000">
        <Router hook={hook}>
          <Layout>
            <p>page</p>
          </Layout>
        </Router>
      </EngineProvider>,
    );
  });
  await screen.findByText('page');
}

describe('Layout', () => {
  it('[C9] names the app once (the brand) and lists the rooms in a "Rooms" navigation, the room marked current on /chat', async () => {
    await renderLayout('/chat');
    const rooms = screen.getByRole('navigation', { name: 'Rooms' });
    const link = within(rooms).getByRole('link', { name: 'general' });
    expect(link).toHaveAttribute('href', '/chat');
    expect(link).toHaveAttribute('aria-current', 'page');
    expect(link).toHaveTextContent(/^#\s?general$/);
    expect(screen.getAllByRole('link').filter((l) => l.getAttribute('href') !== '#main')).toEqual([link]);
    expect(screen.queryByText(/Whisper Chat/)).toBeNull();
  });

  it('does not mark the room current elsewhere', async () => {
    await renderLayout('/elsewhere');
    expect(screen.getByRole('link', { name: 'general' })).not.toHaveAttribute('aria-current');
  });

  it('the skip link comes first and sits in the flow above the shell, not over it', async () => {
    await renderLayout();
    const skip = screen.getByRole('link', { name: 'Skip to content' });
    expect(skip).toHaveAttribute('href', '#main');
    // Not positioned over the page when focused: it pushes the shell down.
    expect(skip.className).not.toMatch(/focus:(fixed|absolute)/);
    expect(skip.className).toMatch(/focus:not-sr-only/);
    const shell = skip.nextElementSibling!;
    expect(shell).toContainElement(screen.getByRole('main'));
  });

  it('opens the phone drawer as a modal dialog, moves focus in, and closes on Escape with focus back on the menu button', async () => {
    const user = userEvent.setup();
    await renderLayout();
    const menu = screen.getByRole('button', { name: 'Open menu' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');

    await user.click(menu);
    const dialog = screen.getByRole('dialog', { name: 'Menu' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('button', { name: 'Close menu' })).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(menu).toHaveFocus();
  });

  it('closes the drawer when a nav link is followed', async () => {
    const user = userEvent.setup();
    await renderLayout('/elsewhere');
    await user.click(screen.getByRole('button', { name: 'Open menu' }));
    await user.click(screen.getByRole('link', { name: 'general' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
