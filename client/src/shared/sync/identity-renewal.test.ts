import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveQuery } from 'dexie';
import { metaTable } from '../db/meta.table';
import { WhisperDatabase } from '../db/whisper-db';
import { createChatStore, TOKEN_RENEWAL_MS, type ChatStore } from './chat-store';

const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const T0 = Date.UTC(2026, 0, 1);

let db: WhisperDatabase;
let store: ChatStore;

beforeEach(() => {
  db = new WhisperDatabase(`identity-renewal-${ulid()}`);
  store = createChatStore(db);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe('the hello\'s identity (P1)', () => {
  it('a first hello stores the identity', async () => {
    await store.renewIdentity(undefined, { user_id: ME, token: 'first' }, T0);
    expect(await store.getIdentity()).toEqual({ user_id: ME, token: 'first' });
  });

  it('a hello of the same user within a day leaves the stored identity alone: no live query that reads it runs again', async () => {
    await store.renewIdentity(undefined, { user_id: ME, token: 'first' }, T0);
    let runs = 0;
    const subscription = liveQuery(() => metaTable.myUserId(db)).subscribe(() => runs++);
    await expect.poll(() => runs).toBe(1);
    await store.renewIdentity(ME, { user_id: ME, token: 'second' }, T0 + 60_000);
    // A write it waits for, so any re-run the hello caused would come first.
    await db.meta.put({ key: 'unrelated', value: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    expect(runs).toBe(1);
    expect(await store.getIdentity()).toEqual({ user_id: ME, token: 'first' });
  });

  it('the token is renewed once the stored one is a day old', async () => {
    await store.renewIdentity(undefined, { user_id: ME, token: 'first' }, T0);
    await store.renewIdentity(ME, { user_id: ME, token: 'next day' }, T0 + TOKEN_RENEWAL_MS);
    expect(await store.getIdentity()).toEqual({ user_id: ME, token: 'next day' });
  });

  it('an identity stored without a renewal time (a login, an older version) takes the hello\'s token', async () => {
    await store.setIdentity({ user_id: ME, token: 'from login' });
    await store.renewIdentity(ME, { user_id: ME, token: 'from hello' }, T0);
    expect(await store.getIdentity()).toEqual({ user_id: ME, token: 'from hello' });
  });

  it('a hello of another user than the one it connected as replaces it (a rejected token, a new identity)', async () => {
    await store.renewIdentity(undefined, { user_id: ME, token: 'first' }, T0);
    await store.renewIdentity(ME, { user_id: OTHER, token: 'other' }, T0 + 1);
    expect(await store.getIdentity()).toEqual({ user_id: OTHER, token: 'other' });
  });

  it('a hello of a connection still stopping after the device passed to someone else writes nothing', async () => {
    await store.setIdentity({ user_id: OTHER, token: 'new owner' });
    await store.renewIdentity(ME, { user_id: ME, token: 'late hello' }, T0);
    expect(await store.getIdentity()).toEqual({ user_id: OTHER, token: 'new owner' });
  });
});
