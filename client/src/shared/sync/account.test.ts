import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Room, User } from '@whisper/protocol';
import { MetaKey, WhisperDatabase, type OutboxItem } from '../db/whisper-db';
import { createAccountActions, decideUnsent, switchIdentity, type TokenToRevoke } from './account';
import { createChatStore, pendingItem, type ChatStore } from './chat-store';

const ANON = '11111111-1111-4111-8111-111111111111';
const ALICE = '22222222-2222-4222-8222-222222222222';
const BOB = '33333333-3333-4333-8333-333333333333';
const ORIGIN = 'http://whisper.test';

let db: WhisperDatabase;
let store: ChatStore;

beforeEach(async () => {
  db = new WhisperDatabase(`account-${ulid()}`);
  store = createChatStore(db);
  await store.setIdentity({ user_id: ANON, token: 'anon-token' });
});
afterEach(async () => {
  vi.unstubAllGlobals();
  db.close();
  await db.delete();
});

const room = (id: string): Room => ({ id, kind: 'public', name: id, members: [], last_seq: 1 }) as unknown as Room;
const user = (id: string): User => ({ id, display_name: id.slice(0, 4), color: 'teal' });
const row = (userId: string | null, content: string, status: OutboxItem['status'] = 'pending'): OutboxItem => ({
  ...pendingItem(ulid(), 'general', content, new Date().toISOString(), userId),
  status,
});

/** The previous user's cached data: a room, a message, an event, people, cursors and a draft. */
async function fillCache() {
  await db.rooms.put(room('general'));
  await db.messages.put({ id: ulid(), seq: 1, room_id: 'general', user_id: ANON, client_id: null, content: 'hello', created_at: new Date().toISOString() } as never);
  await db.events.put({ id: ulid(), seq: 2, room_id: 'general', type: 'member', created_at: new Date().toISOString() } as never);
  await db.users.bulkPut([user(ANON), user(BOB)]);
  await db.meta.bulkPut([
    { key: MetaKey.syncedSeq('general'), value: 2 },
    { key: MetaKey.seenSeq('general'), value: 2 },
    { key: MetaKey.hasOlder('general'), value: false },
    { key: MetaKey.draft('general'), value: 'half a thought' },
  ]);
}

function fakeServer(routes: Record<string, (init: RequestInit) => Response>) {
  const calls: { key: string; auth: string | undefined }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
    calls.push({ key, auth: (init.headers as Record<string, string>).authorization });
    const route = routes[key];
    if (!route) throw new TypeError('Failed to fetch');
    return route(init);
  });
  return calls;
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const noContent = () => new Response(null, { status: 204 });

function actions() {
  const stopConnection = vi.fn();
  const restart = vi.fn();
  return { stopConnection, restart, account: createAccountActions({ db, origin: ORIGIN, stopConnection, restart }) };
}

describe('identity switch', () => {
  it('[A2][P1] logging in as someone else keeps every identity’s outbox rows, owned by their writers', async () => {
    await fillCache();
    await db.outbox.bulkPut([row(ANON, 'mine, unsent'), row(BOB, 'bob’s, from before'), row(null, 'before any hello')]);
    await switchIdentity(db, { user_id: ALICE, token: 'alice-token' }, { user_id: ALICE, username: 'alice' });
    const rows = await db.outbox.toArray();
    expect(rows.map((r) => [r.content, r.user_id]).sort()).toEqual(
      [
        ['before any hello', ANON],
        ['bob’s, from before', BOB],
        ['mine, unsent', ANON],
      ].sort(),
    );
    // Nothing of it is Alice's to send.
    const plan = await store.planFlush('s1', ALICE, 0, 10_000, 5);
    expect(plan.items).toEqual([]);
  });

  it('[A2][A4] the previous user’s rooms, history, events, people, cursors and drafts are cleared, the new identity stored', async () => {
    await fillCache();
    await switchIdentity(db, { user_id: ALICE, token: 'alice-token' }, { user_id: ALICE, username: 'alice' });
    expect(await db.rooms.count()).toBe(0);
    expect(await db.messages.count()).toBe(0);
    expect(await db.events.count()).toBe(0);
    expect(await db.users.count()).toBe(0);
    const meta = await db.meta.toArray();
    expect(meta.map((m) => m.key).sort()).toEqual([MetaKey.account, MetaKey.identity]);
    expect(await store.getIdentity()).toEqual({ user_id: ALICE, token: 'alice-token' });
  });

  it('[A2] the switch is ONE transaction: a reader sees the old user or the new one, never half of each', async () => {
    await fillCache();
    const spy = vi.spyOn(db, 'transaction');
    const seen: { rooms: number; me: string | undefined }[] = [];
    const watcher = (async () => {
      for (let i = 0; i < 20; i++) {
        seen.push(
          await db.transaction('r', db.rooms, db.meta, async () => ({ rooms: await db.rooms.count(), me: (await db.meta.get(MetaKey.identity))?.value as never })),
        );
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    await switchIdentity(db, { user_id: ALICE, token: 'a' }, null);
    await watcher;
    const switchCalls = spy.mock.calls.filter((call) => call[0] === 'rw');
    expect(switchCalls).toHaveLength(1);
    for (const view of seen) {
      const me = (view.me as unknown as { user_id: string } | undefined)?.user_id;
      expect(me === ANON ? view.rooms === 1 : view.rooms === 0).toBe(true);
    }
  });

  it('[A4] logging out discards the leaving identity’s rows and keeps other identities’ rows', async () => {
    await db.outbox.bulkPut([row(ANON, 'mine'), row(ANON, 'mine, failed', 'failed'), row(BOB, 'bob’s')]);
    await switchIdentity(db, null, null, { discardOutbox: true });
    expect((await db.outbox.toArray()).map((r) => r.content)).toEqual(['bob’s']);
    expect(await store.getIdentity()).toBeUndefined();
  });
});

describe('unsent work before switching', () => {
  it('[A4] nothing unsent: no warning', () => {
    expect(decideUnsent('logout', 0, { online: true, anonymous: false }).warn).toBe(false);
    expect(decideUnsent('login', 0, { online: false, anonymous: true }).warn).toBe(false);
  });

  it('[A4] logging out with unsent work warns: wait until sent, or log out and discard them', () => {
    expect(decideUnsent('logout', 3, { online: true, anonymous: false })).toEqual({ warn: true, count: 3, choices: ['wait', 'discard'], canWait: true });
  });

  it('[A2] logging in as someone else with unsent work: wait, or log in anyway (they stay for their writer)', () => {
    expect(decideUnsent('login', 2, { online: true, anonymous: false }).choices).toEqual(['wait', 'login-anyway']);
  });

  it('[A1][A2] an anonymous identity can never come back: it is offered an account first', () => {
    expect(decideUnsent('login', 1, { online: true, anonymous: true }).choices).toEqual(['wait', 'create-account', 'login-anyway']);
  });

  it('[A4] offline, waiting is shown but cannot be chosen', () => {
    expect(decideUnsent('logout', 1, { online: false, anonymous: false }).canWait).toBe(false);
  });

  it('[A4] the count is of this identity’s unsent rows only (pending or sending; not failed, not other identities’)', async () => {
    const { outboxTable } = await import('../db/outbox.table');
    await db.outbox.bulkPut([row(ANON, 'a'), row(ANON, 'b', 'sending'), row(ANON, 'c', 'failed'), row(BOB, 'd'), row(null, 'e')]);
    expect(await outboxTable.countUnsentOf(db, ANON)).toBe(3);
  });
});

describe('account actions', () => {
  it('[A1] signing up with the anonymous identity keeps the user_id and the data: only the token and the username change', async () => {
    await fillCache();
    await db.outbox.put(row(ANON, 'unsent'));
    const calls = fakeServer({ 'POST /v1/accounts': () => json(201, { user_id: ANON, token: 'account-token', username: 'newbie' }) });
    const { account, restart, stopConnection } = actions();
    await account.signUp('newbie', 'a good long passphrase');
    expect(calls).toEqual([{ key: 'POST /v1/accounts', auth: 'Bearer anon-token' }]);
    expect(await store.getIdentity()).toEqual({ user_id: ANON, token: 'account-token' });
    expect(await db.meta.get(MetaKey.account)).toEqual({ key: MetaKey.account, value: { user_id: ANON, username: 'newbie' } });
    expect(await db.rooms.count()).toBe(1);
    expect(await db.messages.count()).toBe(1);
    expect(await db.outbox.count()).toBe(1);
    expect(restart).not.toHaveBeenCalled();
    expect(stopConnection).not.toHaveBeenCalled();
  });

  it('[A2] logging in as another user stops the connection, switches, restarts, and the fresh start ends the old session', async () => {
    await fillCache();
    const calls = fakeServer({
      'POST /v1/session': () => json(200, { user_id: ALICE, token: 'alice-token' }),
      'DELETE /v1/session': () => noContent(),
    });
    const { account, restart, stopConnection } = actions();
    expect(await account.logIn('Alice', 'alicepass123')).toEqual({ switched: true });
    expect(stopConnection).toHaveBeenCalled();
    expect(calls.map((c) => c.key)).toEqual(['POST /v1/session']);
    expect(await store.getIdentity()).toEqual({ user_id: ALICE, token: 'alice-token' });
    expect(await db.rooms.count()).toBe(0);
    expect(restart).toHaveBeenCalledOnce();
    await account.revokeLeftovers();
    expect(calls[1]).toEqual({ key: 'DELETE /v1/session', auth: 'Bearer anon-token' });
    expect(await db.meta.get(MetaKey.tokensToRevoke)).toBeUndefined();
  });

  it('[A3] a wrong password is an error with the server’s code; nothing changes', async () => {
    await fillCache();
    fakeServer({ 'POST /v1/session': () => json(401, { type: 'error', code: 'invalid_credentials', message: 'wrong username or password' }) });
    const { account, restart } = actions();
    await expect(account.logIn('alice', 'nope')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(await store.getIdentity()).toEqual({ user_id: ANON, token: 'anon-token' });
    expect(await db.rooms.count()).toBe(1);
    expect(restart).not.toHaveBeenCalled();
  });

  it('[A4] logout offline: logged out locally, the token kept to revoke, revoked once the server answers', async () => {
    await fillCache();
    await db.outbox.bulkPut([row(ANON, 'mine'), row(BOB, 'bob’s')]);
    fakeServer({});
    const { account, restart } = actions();
    expect(await account.logOut()).toEqual({ revoked: false });
    expect(restart).toHaveBeenCalledOnce();
    expect(await store.getIdentity()).toBeUndefined();
    expect((await db.outbox.toArray()).map((r) => r.content)).toEqual(['bob’s']);
    expect(await db.meta.get(MetaKey.tokensToRevoke)).toEqual({ key: MetaKey.tokensToRevoke, value: [{ token: 'anon-token', everywhere: false }] satisfies TokenToRevoke[] });

    const calls = fakeServer({ 'DELETE /v1/session': () => noContent() });
    await account.revokeLeftovers();
    expect(calls).toEqual([{ key: 'DELETE /v1/session', auth: 'Bearer anon-token' }]);
    expect(await db.meta.get(MetaKey.tokensToRevoke)).toBeUndefined();
  });

  it('[A4] log out everywhere revokes every session', async () => {
    const calls = fakeServer({ 'DELETE /v1/sessions': () => noContent() });
    const { account } = actions();
    expect(await account.logOut({ everywhere: true })).toEqual({ revoked: true });
    expect(calls.map((c) => c.key)).toEqual(['DELETE /v1/sessions']);
  });
});
