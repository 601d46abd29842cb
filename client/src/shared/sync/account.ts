import type { Me } from '@whisper/protocol';
import { eventsTable } from '../db/events.table';
import { messagesTable } from '../db/messages.table';
import { metaTable } from '../db/meta.table';
import { filesTable } from '../db/files.table';
import { outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { usersTable } from '../db/users.table';
import { MetaKey, type AccountInfo, type Identity, type WhisperDatabase } from '../db/whisper-db';
import { AccountApiError, createAccount, createSession, deleteSession, fetchMe, patchMe } from './account-api';

/**
 * Accounts on the device (A1–A5): signing up, logging in and out, the
 * profile. Another user taking the device is one transaction that clears
 * the previous user's data (keeping every identity's unsent work but the
 * one logging out), and then a fresh start of the page.
 */

/** A logged-out session the server has not heard of yet (offline at logout): revoked once it is reachable. */
export interface TokenToRevoke {
  token: string;
  everywhere: boolean;
}

export interface SwitchOptions {
  /** A4: the leaving identity's outbox rows go too (logging out discards them); otherwise they stay, owned by it. */
  discardOutbox?: boolean;
  /** Sessions to revoke when the server is reachable again. */
  revokeLater?: TokenToRevoke[];
}

/**
 * Another identity takes the device (`next`; null: none, a fresh anonymous
 * one follows on connect). In ONE transaction: the previous user's rooms,
 * history, events, cached people, cursors and drafts are cleared, its
 * outbox rows stay owned by it (or are discarded: logout), rows of other
 * identities are untouched, and the new identity is stored. A reader never
 * sees half of one user and half of the other.
 */
export async function switchIdentity(db: WhisperDatabase, next: Identity | null, account: AccountInfo | null, options: SwitchOptions = {}): Promise<void> {
  await db.transaction('rw', [db.rooms, db.messages, db.events, db.users, db.meta, db.outbox, db.files], async () => {
    const previous = await metaTable.myUserId(db);
    if (previous !== undefined) {
      // Rows written before the device had an identity were the leaving one's to send.
      if (options.discardOutbox) {
        // Their files go with them (F2): nothing would ever send them.
        const gone = (await outboxTable.inOrder(db)).filter((row) => row.user_id === previous || row.user_id === null).map((row) => row.client_id);
        await filesTable.deleteOfMessages(db, gone);
        await outboxTable.deleteOf(db, previous);
      }
      else await outboxTable.claimUnowned(db, previous);
    }
    const toRevoke = [...((await metaTable.get<TokenToRevoke[]>(db, MetaKey.tokensToRevoke)) ?? []), ...(options.revokeLater ?? [])];
    await roomsTable.clear(db);
    await messagesTable.clear(db);
    // F2: files kept for acked messages go with the history; queued ones stay with their rows.
    await filesTable.deleteOrphans(db, new Set((await outboxTable.inOrder(db)).map((row) => row.client_id)));
    await eventsTable.clear(db);
    await usersTable.clear(db);
    await metaTable.forgetUser(db);
    if (toRevoke.length > 0) await metaTable.set(db, MetaKey.tokensToRevoke, toRevoke);
    if (next) await metaTable.set(db, MetaKey.identity, next);
    if (account) await metaTable.set(db, MetaKey.account, account);
  });
}

/** What the user is about to do that takes this identity off the device. */
export type SwitchKind = 'login' | 'logout';
/** The ways on from the unsent-work warning. */
export type UnsentChoice = 'wait' | 'login-anyway' | 'create-account' | 'discard';

export interface UnsentDecision {
  /** Whether to ask before going on (nothing unsent: go on at once). */
  warn: boolean;
  count: number;
  choices: UnsentChoice[];
  /** "Wait until sent" needs a connection; offline it is shown disabled, with why. */
  canWait: boolean;
}

/**
 * A4 and the question, decided: ask. With unsent work of this
 * identity, logging in as someone else or logging out warns first. Waiting
 * is always offered (it needs a connection). Logging in keeps the work on
 * the device for the identity that wrote it, but an anonymous identity can
 * never come back, so it is offered an account first; logging out discards.
 */
export function decideUnsent(kind: SwitchKind, unsent: number, { online, anonymous }: { online: boolean; anonymous: boolean }): UnsentDecision {
  if (unsent <= 0) return { warn: false, count: 0, choices: [], canWait: online };
  const choices: UnsentChoice[] = ['wait'];
  if (kind === 'login') {
    if (anonymous) choices.push('create-account');
    choices.push('login-anyway');
  } else {
    choices.push('discard');
  }
  return { warn: true, count: unsent, choices, canWait: online };
}

export interface AccountDeps {
  db: WhisperDatabase;
  origin: string;
  /** Stops the connection (its socket and worker), so nothing of the previous user is written after the switch. */
  stopConnection: () => void;
  /** Starts the app afresh under the identity now stored (the page reloads). */
  restart: () => void;
}

/** The account functions of the engine (A1–A5). */
export interface AccountActions {
  /** A5: the account and profile (GET /v1/me); also keeps the username and the own name on the device. */
  me(): Promise<Me>;
  setDisplayName(name: string): Promise<Me>;
  /** A1: this identity becomes an account (same user_id, nothing else changes); a new account when the device has none yet. */
  signUp(username: string, password: string): Promise<void>;
  /** A2: logs in; another user_id takes the device (switchIdentity, then a restart). */
  logIn(username: string, password: string): Promise<{ switched: boolean }>;
  /** A4: logs out (this device, or everywhere); `revoked` false when the server was unreachable (revoked later). */
  logOut(options?: { everywhere?: boolean }): Promise<{ revoked: boolean }>;
  /** Revokes the sessions logged out while offline; called at start and when back online. */
  revokeLeftovers(): Promise<void>;
}

/** Lets the connection finish stopping (its worker handles the stop message) before the database changes hands. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

export function createAccountActions({ db, origin, stopConnection, restart }: AccountDeps): AccountActions {
  const identity = () => metaTable.identity(db);
  async function token(): Promise<string> {
    const current = await identity();
    if (!current) throw new AccountApiError(0, 'no_identity', 'This device has no identity yet: it gets one the first time it reaches the server.');
    return current.token;
  }
  async function remember(me: Me): Promise<void> {
    await db.transaction('rw', db.meta, db.users, async () => {
      if ((await metaTable.myUserId(db)) !== me.user_id) return;
      if (me.username) await metaTable.set(db, MetaKey.account, { user_id: me.user_id, username: me.username } satisfies AccountInfo);
      await usersTable.bulkPut(db, [{ id: me.user_id, display_name: me.display_name, color: me.color }]);
    });
  }
  async function takeOver(next: Identity, account: AccountInfo): Promise<void> {
    stopConnection();
    await settle();
    const previous = await identity();
    // The previous session ends with it, revoked by the fresh start (revokeLeftovers), not now: revoked
    // while this page's connection may still be stopping, its socket's 4401 would have the
    // connection start a new anonymous identity over the one just stored. (Its work, if kept,
    // goes out under a new session of that user.)
    const revokeLater = previous ? [{ token: previous.token, everywhere: false }] : [];
    await switchIdentity(db, next, account, { revokeLater });
    restart();
  }

  return {
    async me() {
      const me = await fetchMe(origin, await token());
      await remember(me);
      return me;
    },
    async setDisplayName(name) {
      const me = await patchMe(origin, await token(), name);
      await remember(me);
      return me;
    },
    async signUp(username, password) {
      const current = await identity();
      const created = await createAccount(origin, username, password, current?.token);
      const account = { user_id: created.user_id, username: created.username };
      if (current && current.user_id === created.user_id) {
        // A1: same user, same data; only the token and the name shown change.
        await db.transaction('rw', db.meta, async () => {
          await metaTable.set(db, MetaKey.identity, { user_id: created.user_id, token: created.token } satisfies Identity);
          await metaTable.set(db, MetaKey.account, account);
        });
        return;
      }
      await takeOver({ user_id: created.user_id, token: created.token }, account);
    },
    async logIn(username, password) {
      const session = await createSession(origin, username, password);
      const current = await identity();
      const account = { user_id: session.user_id, username: username.toLowerCase() };
      if (current?.user_id === session.user_id) {
        await db.transaction('rw', db.meta, async () => {
          await metaTable.set(db, MetaKey.identity, { user_id: session.user_id, token: session.token } satisfies Identity);
          await metaTable.set(db, MetaKey.account, account);
        });
        return { switched: false };
      }
      await takeOver({ user_id: session.user_id, token: session.token }, account);
      return { switched: true };
    },
    async logOut({ everywhere = false } = {}) {
      stopConnection();
      await settle();
      const current = await identity();
      let revoked = true;
      const revokeLater: TokenToRevoke[] = [];
      if (current) {
        try {
          await deleteSession(origin, current.token, everywhere);
        } catch (error) {
          // 401: already revoked. Anything else (offline, server down): revoked on a later start.
          if (!(error instanceof AccountApiError && error.status === 401)) {
            revoked = false;
            revokeLater.push({ token: current.token, everywhere });
          }
        }
      }
      await switchIdentity(db, null, null, { discardOutbox: true, revokeLater });
      restart();
      return { revoked };
    },
    async revokeLeftovers() {
      const pending = (await metaTable.get<TokenToRevoke[]>(db, MetaKey.tokensToRevoke)) ?? [];
      if (pending.length === 0) return;
      const done = new Set<string>();
      for (const item of pending) {
        try {
          await deleteSession(origin, item.token, item.everywhere);
          done.add(item.token);
        } catch (error) {
          if (error instanceof AccountApiError && error.status === 401) done.add(item.token);
        }
      }
      if (done.size === 0) return;
      await db.transaction('rw', db.meta, async () => {
        const now = (await metaTable.get<TokenToRevoke[]>(db, MetaKey.tokensToRevoke)) ?? [];
        const left = now.filter((item) => !done.has(item.token));
        if (left.length > 0) await metaTable.set(db, MetaKey.tokensToRevoke, left);
        else await metaTable.remove(db, MetaKey.tokensToRevoke);
      });
    },
  };
}
