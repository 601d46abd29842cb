import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WhisperDatabase } from '../../shared/db/whisper-db';
import { pendingItem } from '../../shared/sync/chat-store';
import { EngineProvider } from '../../shared/sync/engine-context';
import { PROMPT_ANSWERED_KEY, WROTE_KEY } from './device-flags';
import { NotificationsPrompt } from './notifications-prompt';

/** The banner as the app mounts it; the browser kept offline so the engine opens no socket. */
let db: WhisperDatabase;

async function renderPrompt() {
  render(
    <EngineProvider db={db} origin="http://localhost:3000">
      <p>page</p>
      <NotificationsPrompt />
    </EngineProvider>,
  );
  await screen.findByText('page');
}

const banner = () => screen.queryByRole('complementary', { name: 'Notifications' });

beforeEach(() => {
  db = new WhisperDatabase(`prompt-test-${ulid()}`);
  Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
  Object.defineProperty(navigator, 'serviceWorker', { value: {}, configurable: true });
  vi.stubGlobal('PushManager', class {});
  vi.stubGlobal('Notification', { permission: 'default', requestPermission: vi.fn() });
});

afterEach(async () => {
  cleanup();
  delete (navigator as unknown as Record<string, unknown>).onLine;
  delete (navigator as unknown as Record<string, unknown>).serviceWorker;
  vi.unstubAllGlobals();
  localStorage.clear();
  db.close();
  await db.delete();
});

describe('NotificationsPrompt (N1 opt-in)', () => {
  it('[N1] never on a first load: offered once the user sends a message from this device, and "Not now" is remembered', async () => {
    await renderPrompt();
    expect(banner()).toBeNull();

    await db.outbox.add(pendingItem(ulid(), 'general', 'hello', new Date().toISOString()));
    // The banner is a chunk of its own: the first load of it may take a while.
    expect(await screen.findByText('Get notified of new messages?', undefined, { timeout: 5_000 })).toBeTruthy();
    expect(localStorage.getItem(WROTE_KEY)).toBe('1');
    expect(Notification.requestPermission).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Not now' }));
    expect(banner()).toBeNull();
    expect(localStorage.getItem(PROMPT_ANSWERED_KEY)).toBe('1');
  });

  it('[N1] not offered where the browser was already asked, nor without Web Push', async () => {
    localStorage.setItem(WROTE_KEY, '1');
    vi.stubGlobal('Notification', { permission: 'denied' });
    await renderPrompt();
    expect(banner()).toBeNull();
  });
});
