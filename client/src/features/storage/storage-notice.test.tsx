import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WhisperDatabase } from '../../shared/db/whisper-db';
import { pendingItem } from '../../shared/sync/chat-store';
import { EngineProvider } from '../../shared/sync/engine-context';
import { EXPLICIT_REFUSAL_KEY, NOTICE_DISMISSED_KEY, PERSIST_ANSWER_KEY } from './persistent-storage';
import { StorageNotice } from './storage-notice';

/**
 * The notice reads the outbox through the engine, as in the app. The browser
 * is kept offline (navigator.onLine), so the engine opens no socket.
 */
let db: WhisperDatabase;
const stubbed: string[] = [];

function stubNavigator(props: Record<string, unknown>) {
  for (const [key, value] of Object.entries(props)) {
    Object.defineProperty(navigator, key, { value, configurable: true });
    stubbed.push(key);
  }
}

/** A StorageManager whose persist() answers when the test says so. */
function stubStorage() {
  const answers: Array<(granted: boolean) => void> = [];
  const persist = vi.fn(() => new Promise<boolean>((resolve) => answers.push(resolve)));
  stubNavigator({ storage: { persist, persisted: async () => false } });
  return {
    persist,
    /** Answers the oldest unanswered persist() call. */
    answer: async (granted: boolean) => {
      await waitFor(() => expect(answers.length).toBeGreaterThan(0));
      await act(async () => answers.shift()!(granted));
    },
  };
}

async function renderNotice() {
  render(
    <EngineProvider db={db} origin="http://localhost:3000">
      <p>page</p>
      <StorageNotice />
    </EngineProvider>,
  );
  await screen.findByText('page');
}

/** Unsent work as the composer leaves it: a pending outbox row. */
async function queueMessage(status: 'pending' | 'sending' | 'failed' = 'pending') {
  const item = { ...pendingItem(ulid(), 'general', 'hello', new Date().toISOString()), status };
  await db.outbox.add(item);
  return item.client_id;
}

const notice = () => screen.queryByRole('region', { name: 'Storage notice' });

beforeEach(() => {
  db = new WhisperDatabase(`notice-test-${ulid()}`);
  stubNavigator({ onLine: false });
});

afterEach(async () => {
  for (const key of stubbed.splice(0)) delete (navigator as unknown as Record<string, unknown>)[key];
  localStorage.clear();
  db.close();
  await db.delete();
});

describe('StorageNotice', () => {
  it('[C1] greets no one: a refusal with nothing unsent shows no notice', async () => {
    const storage = stubStorage();
    await renderNotice();
    await storage.answer(false);
    expect(storage.persist).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem(PERSIST_ANSWER_KEY)).toBe('denied');
    expect(notice()).toBeNull();
  });

  it('[C1] appears while the outbox holds unsent work and storage may be evicted, and leaves when it is sent', async () => {
    const storage = stubStorage();
    await renderNotice();
    await storage.answer(false);
    const clientId = await queueMessage();
    await waitFor(() => expect(notice()).not.toBeNull());
    expect(notice()).toHaveTextContent('Your browser may clear unsent messages');
    // Acked: the row leaves the outbox.
    await db.outbox.delete(clientId);
    await waitFor(() => expect(notice()).toBeNull());
  });

  it('[C1] counts pending and sending rows, not failed ones', async () => {
    const storage = stubStorage();
    await queueMessage('failed');
    await renderNotice();
    await storage.answer(false);
    await act(async () => undefined);
    expect(notice()).toBeNull();
    await queueMessage('sending');
    await waitFor(() => expect(notice()).not.toBeNull());
  });

  it('is there from the first render with unsent work while the browser is still answering; goes away on a grant', async () => {
    const storage = stubStorage();
    await queueMessage();
    await renderNotice();
    await waitFor(() => expect(notice()).not.toBeNull());
    await storage.answer(true);
    expect(notice()).toBeNull();
  });

  it('shows nothing once a grant is remembered, nor after it was dismissed, unsent work or not', async () => {
    stubStorage();
    await queueMessage();
    localStorage.setItem(PERSIST_ANSWER_KEY, 'granted');
    const first = render(
      <EngineProvider db={db} origin="http://localhost:3000">
        <p>page</p>
        <StorageNotice />
      </EngineProvider>,
    );
    await screen.findByText('page');
    await act(async () => undefined);
    expect(notice()).toBeNull();
    first.unmount();

    localStorage.setItem(PERSIST_ANSWER_KEY, 'denied');
    localStorage.setItem(NOTICE_DISMISSED_KEY, 'true');
    await renderNotice();
    await act(async () => undefined);
    expect(notice()).toBeNull();
  });

  it('dismissing it hides it for good', async () => {
    const user = userEvent.setup();
    const storage = stubStorage();
    await queueMessage();
    await renderNotice();
    await storage.answer(false);
    await waitFor(() => expect(notice()).not.toBeNull());
    await user.click(screen.getByRole('button', { name: 'Dismiss storage notice' }));
    expect(notice()).toBeNull();
    expect(localStorage.getItem(NOTICE_DISMISSED_KEY)).toBe('true');
  });

  it('asking the browser explicitly: a refusal keeps the notice (with the way to allow it) after the outbox empties', async () => {
    const user = userEvent.setup();
    const storage = stubStorage();
    const clientId = await queueMessage();
    await renderNotice();
    await storage.answer(false);
    await waitFor(() => expect(notice()).not.toBeNull());

    await user.click(screen.getByText('Keep them safe'));
    await user.click(screen.getByRole('button', { name: 'Ask the browser to keep them' }));
    expect(storage.persist).toHaveBeenCalledTimes(2); // asked again, on the user's behalf
    await storage.answer(false);
    expect(localStorage.getItem(EXPLICIT_REFUSAL_KEY)).toBe('true');
    expect(notice()).toHaveTextContent('would not promise');

    await db.outbox.delete(clientId);
    await waitFor(() => expect(notice()).toHaveAttribute('data-unsent', '0'));
    expect(notice()).toHaveTextContent('would not promise');
  });

  it('asking the browser explicitly: a grant takes the notice away', async () => {
    const user = userEvent.setup();
    const storage = stubStorage();
    await queueMessage();
    await renderNotice();
    await storage.answer(false);
    await waitFor(() => expect(notice()).not.toBeNull());
    await user.click(screen.getByText('Keep them safe'));
    await user.click(screen.getByRole('button', { name: 'Ask the browser to keep them' }));
    await storage.answer(true);
    expect(notice()).toBeNull();
    expect(localStorage.getItem(PERSIST_ANSWER_KEY)).toBe('granted');
  });
});
