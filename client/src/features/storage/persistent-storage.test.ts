import { describe, expect, it, vi } from 'vitest';
import {
  ensurePersistentStorage,
  EXPLICIT_REFUSAL_KEY,
  PERSIST_ANSWER_KEY,
  presumedPersistence,
  requestPersistence,
  shouldShowStorageNotice,
  type FlagStore,
} from './persistent-storage';

function memoryStore(initial: Record<string, string> = {}): FlagStore & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, get: (key) => data[key] ?? null, set: (key, value) => void (data[key] = value) };
}

describe('ensurePersistentStorage', () => {
  it('reports unsupported when the browser has no StorageManager.persist', async () => {
    expect(await ensurePersistentStorage(undefined, memoryStore())).toBe('unsupported');
    expect(await ensurePersistentStorage({}, memoryStore())).toBe('unsupported');
  });

  it('asks once and remembers a refusal, so the user is not prompted on every launch', async () => {
    const memory = memoryStore();
    const persist = vi.fn().mockResolvedValue(false);
    const api = { persist, persisted: vi.fn().mockResolvedValue(false) };
    expect(await ensurePersistentStorage(api, memory)).toBe('denied');
    expect(await ensurePersistentStorage(api, memory)).toBe('denied');
    expect(persist).toHaveBeenCalledTimes(1);
    expect(memory.data[PERSIST_ANSWER_KEY]).toBe('denied');
  });

  it('notices a later grant through persisted() without asking again', async () => {
    const memory = memoryStore({ [PERSIST_ANSWER_KEY]: 'denied' });
    const persist = vi.fn();
    expect(await ensurePersistentStorage({ persist, persisted: async () => true }, memory)).toBe('granted');
    expect(persist).not.toHaveBeenCalled();
    expect(memory.data[PERSIST_ANSWER_KEY]).toBe('granted');
  });

  it('treats a throwing implementation as unsupported rather than a refusal', async () => {
    const api = { persist: () => Promise.reject(new Error('nope')), persisted: async () => false };
    expect(await ensurePersistentStorage(api, memoryStore())).toBe('unsupported');
  });
});

describe('presumedPersistence', () => {
  it('presumes a refusal where persist() exists and nothing was answered yet, so the notice is there from the first paint', () => {
    expect(presumedPersistence({ persist: async () => false }, memoryStore())).toBe('denied');
  });

  it('presumes the last answer the browser gave', () => {
    expect(presumedPersistence({ persist: async () => true }, memoryStore({ [PERSIST_ANSWER_KEY]: 'granted' }))).toBe('granted');
    expect(presumedPersistence({ persist: async () => false }, memoryStore({ [PERSIST_ANSWER_KEY]: 'denied' }))).toBe('denied');
  });

  it('presumes nothing to warn about where persist() does not exist', () => {
    expect(presumedPersistence(undefined, memoryStore())).toBe('unsupported');
    expect(presumedPersistence({}, memoryStore({ [PERSIST_ANSWER_KEY]: 'denied' }))).toBe('unsupported');
  });
});

describe('requestPersistence (the user asked)', () => {
  it('asks even after a remembered refusal, and remembers a new refusal as explicit', async () => {
    const memory = memoryStore({ [PERSIST_ANSWER_KEY]: 'denied' });
    const persist = vi.fn().mockResolvedValue(false);
    expect(await requestPersistence({ persist }, memory)).toBe('denied');
    expect(persist).toHaveBeenCalledTimes(1);
    expect(memory.data[EXPLICIT_REFUSAL_KEY]).toBe('true');
  });

  it('a grant is remembered and clears an earlier explicit refusal', async () => {
    const memory = memoryStore({ [EXPLICIT_REFUSAL_KEY]: 'true' });
    expect(await requestPersistence({ persist: async () => true }, memory)).toBe('granted');
    expect(memory.data[PERSIST_ANSWER_KEY]).toBe('granted');
    expect(memory.data[EXPLICIT_REFUSAL_KEY]).toBe('false');
  });

  it('is unsupported without persist() or when it throws', async () => {
    expect(await requestPersistence(undefined, memoryStore())).toBe('unsupported');
    expect(await requestPersistence({ persist: () => Promise.reject(new Error('nope')) }, memoryStore())).toBe('unsupported');
  });
});

describe('shouldShowStorageNotice', () => {
  const base = { state: 'denied' as const, unsent: 0, explicitlyRefused: false, dismissed: false };

  it('[C1] not for a refusal alone: only with unsent work or after an explicit refusal', () => {
    expect(shouldShowStorageNotice(base)).toBe(false);
    expect(shouldShowStorageNotice({ ...base, unsent: 1 })).toBe(true);
    expect(shouldShowStorageNotice({ ...base, explicitlyRefused: true })).toBe(true);
  });

  it('never where storage is kept or cannot be asked for, nor once dismissed', () => {
    expect(shouldShowStorageNotice({ ...base, unsent: 3, state: 'granted' })).toBe(false);
    expect(shouldShowStorageNotice({ ...base, unsent: 3, state: 'unsupported' })).toBe(false);
    expect(shouldShowStorageNotice({ ...base, unsent: 3, explicitlyRefused: true, dismissed: true })).toBe(false);
  });
});
