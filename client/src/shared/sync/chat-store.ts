import { metaTable } from '../db/meta.table';
import { MetaKey, type Identity, type WhisperDatabase } from '../db/whisper-db';
import { monotonicFactory } from 'ulid';
import { createLogStore, type LogStoreOptions } from './log-store';
import { createMessageActionsStore } from './message-actions-store';
import { createOutboxFilesStore } from './outbox-files';
import { createOutboxStore } from './outbox-store';
import { createReadMarkersStore } from './read-markers-store';
import { logScope } from './room-tables';

/**
 * How old the stored token may be before a hello's fresh one replaces it: a
 * day, against the server's one-year lifetime (server/identity/auth.plugin.ts).
 */
export const TOKEN_RENEWAL_MS = 24 * 60 * 60 * 1000;

export { FLUSH_BATCH_SIZE, FLUSH_WINDOW, pendingItem, pendingOp, type FlushPlan } from './outbox-store';

/**
 * Every read and write the sync engine makes to IndexedDB, composed from
 * the outbox (what the user sent or changed) and the room logs (what the
 * server has). Multi-table changes happen in one transaction, so a live
 * query never sees a message both in the outbox and in the history, or in
 * neither (C5).
 */
export function createChatStore(db: WhisperDatabase, options: LogStoreOptions = {}) {
  // Monotonic, and one for every writer of the outbox: two rows queued in the same millisecond keep their order.
  const nextClientId = monotonicFactory();
  return {
    ...createOutboxStore(db, nextClientId),
    ...createOutboxFilesStore(db, nextClientId),
    ...createMessageActionsStore(db, nextClientId),
    ...createReadMarkersStore(db, nextClientId),
    ...createLogStore(db, options),

    getIdentity: () => metaTable.identity(db),
    setIdentity: (identity: Identity) => metaTable.set(db, MetaKey.identity, identity),
    /**
     * P1: the hello's identity, kept unless the device has meanwhile passed
     * to someone else (a login or logout on this device while a connection
     * of the previous identity was still stopping). Every hello brings a
     * fresh token for the same session, but the stored one is replaced only
     * when the user changes or it is older than TOKEN_RENEWAL_MS: a token
     * lasts a year, and each write of the identity row re-runs every live
     * query that reads who "me" is (the room, its timeline, the room list),
     * in the page too, at every start-up.
     */
    async renewIdentity(connectedAs: string | undefined, next: Identity, now = Date.now()): Promise<void> {
      await db.transaction('rw', db.meta, async () => {
        const current = await metaTable.identity(db);
        const owner = current?.user_id;
        if (owner !== undefined && owner !== connectedAs && owner !== next.user_id) return;
        if (owner === next.user_id) {
          const renewedAt = await metaTable.get<number>(db, MetaKey.identityRenewedAt);
          if (renewedAt !== undefined && now - renewedAt >= 0 && now - renewedAt < TOKEN_RENEWAL_MS) return;
        }
        await metaTable.set(db, MetaKey.identity, next);
        await metaTable.set(db, MetaKey.identityRenewedAt, now);
      });
    },
    /**
     * Runs `work` (the writes of what a connection of `userId` brought) only
     * while `userId` is still this device's identity, checked in the same
     * transaction: a connection still stopping when another user took the
     * device writes nothing into the new user's data. Its writes become
     * parts of this one transaction (they use the same tables).
     */
    async whileIdentity(userId: string | undefined, work: () => Promise<void>): Promise<void> {
      await db.transaction('rw', logScope(db), async () => {
        const current = await metaTable.myUserId(db);
        if (userId === undefined || current === undefined || current === userId) await work();
      });
    },
    myUserId: () => metaTable.myUserId(db),

    getDraft: async (roomId: string) => (await metaTable.get<string>(db, MetaKey.draft(roomId))) ?? '',
    setDraft: (roomId: string, text: string) => (text ? metaTable.set(db, MetaKey.draft(roomId), text) : metaTable.remove(db, MetaKey.draft(roomId))),
  };
}

export type ChatStore = ReturnType<typeof createChatStore>;
