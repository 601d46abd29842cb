import { ulid } from 'ulid';
import { afterEach, beforeEach } from 'vitest';
import { WhisperDatabase } from '../db/whisper-db';
import { createChatStore, type ChatStore } from './chat-store';
import { ME } from './connection.harness';

/**
 * For store-level tests: a fresh database and store per test (fake
 * IndexedDB), the device holding `userId`'s identity; deleted after the test.
 */
export function setUpStore(name: string, userId: string = ME): { db: WhisperDatabase; store: ChatStore } {
  const fixture = {} as { db: WhisperDatabase; store: ChatStore };
  beforeEach(async () => {
    fixture.db = new WhisperDatabase(`${name}-${ulid()}`);
    fixture.store = createChatStore(fixture.db);
    await fixture.store.setIdentity({ user_id: userId, token: 't' });
  });
  afterEach(async () => {
    fixture.db.close();
    await fixture.db.delete();
  });
  return fixture;
}
