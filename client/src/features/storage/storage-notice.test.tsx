import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOTICE_DISMISSED_KEY, PERSIST_ANSWER_KEY } from './persistent-storage';
import { StorageNotice } from './storage-notice';

/** A StorageManager whose persist() answers when the test says so. */
function stubStorage() {
  let answer!: (granted: boolean) => void;
  const persist = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)));
  vi.stubGlobal('navigator', { ...navigator, storage: { persist, persisted: async () => false } });
  return { answer: (granted: boolean) => act(async () => answer(granted)), persist };
}

const notice = () => screen.queryByRole('region', { name: 'Storage notice' });

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('StorageNotice', () => {
  it('is laid out from the first render while the browser is still answering, and stays when it refuses', async () => {
    const storage = stubStorage();
    render(<StorageNotice />);
    expect(notice()).not.toBeNull();
    await act(async () => undefined);
    expect(storage.persist).toHaveBeenCalledTimes(1);
    await storage.answer(false);
    expect(notice()).not.toBeNull();
    expect(localStorage.getItem(PERSIST_ANSWER_KEY)).toBe('denied');
  });

  it('goes away when the browser grants persistence', async () => {
    const storage = stubStorage();
    render(<StorageNotice />);
    await act(async () => undefined);
    await storage.answer(true);
    expect(notice()).toBeNull();
  });

  it('is not shown at all once a grant is remembered, nor after it was dismissed', async () => {
    stubStorage();
    localStorage.setItem(PERSIST_ANSWER_KEY, 'granted');
    const { unmount } = render(<StorageNotice />);
    expect(notice()).toBeNull();
    unmount();
    localStorage.setItem(PERSIST_ANSWER_KEY, 'denied');
    localStorage.setItem(NOTICE_DISMISSED_KEY, 'true');
    render(<StorageNotice />);
    expect(notice()).toBeNull();
  });
});
