import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '@whisper/protocol';
import { backoffDelay } from './backoff';
import { USER_LOOKUP_DELAY_MS, USERS_PER_REQUEST, createUserDirectory } from './user-directory';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const person = (userId: string): User => ({ id: userId, display_name: `Person ${userId.slice(-3)}`, color: 'teal' });

let saved: User[];
let lookups: string[][];
let failing: boolean;

function directory(known: string[] = []) {
  return createUserDirectory({
    unknown: async (ids) => ids.filter((userId) => !known.includes(userId) && !saved.some((user) => user.id === userId)),
    lookup: async (ids) => {
      lookups.push(ids);
      if (failing) throw new TypeError('Failed to fetch');
      // The server does not know id(999): it answers without it.
      return ids.filter((userId) => userId !== id(999)).map(person);
    },
    save: async (users) => saved.push(...users),
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  saved = [];
  lookups = [];
  failing = false;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('user directory', () => {
  it('[A5] people seen in a burst are looked up together, at most 100 a request, never the known ones, never twice', async () => {
    const people = directory([id(1)]);
    people.want([id(1), id(2)]);
    people.want(Array.from({ length: USERS_PER_REQUEST + 20 }, (_, i) => id(i + 2)));
    expect(lookups).toEqual([]);
    await vi.advanceTimersByTimeAsync(USER_LOOKUP_DELAY_MS);
    expect(lookups.map((ids) => ids.length)).toEqual([USERS_PER_REQUEST, 20]);
    expect(lookups.flat()).not.toContain(id(1));
    expect(saved).toHaveLength(USERS_PER_REQUEST + 20);
    people.want([id(2), id(50), id(999)]);
    await vi.advanceTimersByTimeAsync(10 * USER_LOOKUP_DELAY_MS);
    expect(lookups.slice(2)).toEqual([[id(999)]]);
    people.want([id(999)]);
    await vi.advanceTimersByTimeAsync(10 * USER_LOOKUP_DELAY_MS);
    expect(lookups).toHaveLength(3);
    people.stop();
  });

  it('[A5] a failed lookup (offline, no identity yet) is tried again with backoff', async () => {
    const people = directory();
    failing = true;
    people.want([id(7)]);
    await vi.advanceTimersByTimeAsync(USER_LOOKUP_DELAY_MS);
    expect(lookups).toHaveLength(1);
    failing = false;
    await vi.advanceTimersByTimeAsync(backoffDelay(0, 1));
    expect(lookups).toEqual([[id(7)], [id(7)]]);
    expect(saved.map((user) => user.id)).toEqual([id(7)]);
    people.stop();
  });
});
