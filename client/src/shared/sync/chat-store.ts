import { metaTable } from '../db/meta.table';
import { MetaKey, type Identity, type WhisperDatabase } from '../db/whisper-db';
import { createLogStore, type LogStoreOptions } from './log-store';
import { createOutboxStore } from './outbox-store';
import { logScope } from './room-tables';

export { FLUSH_BATCH_SIZE, FLUSH_WINDOW, pendingItem, pendingOp, type FlushPlan } from './outbox-store';

/**
 * Every read and write the sync engine makes to IndexedDB, composed from
 * the outbox (what the user sent or changed) and the room logs (what the
 * server has). Multi-table changes happen in one transaction, so a live
 * query never sees a message both in the outbox and in the history, or in
 * neither (C5).
 */
export function createChatStore(db: WhisperDatabase, options: LogStoreOptions = {}) {
  return {
    ...createOutboxStore(db),
    ...createLogStore(db, options),

    getIdentity: () => metaTable.identity(db),
    setIdentity: (identity: Identity) => metaTable.set(db, MetaKey.identity, identity),
    /**
     * P1: the hello's identity, kept unless the device has meanwhile passed
     * to someone else (a login or logout on this device while a connection
     * of the previous identity was still stopping).
     */
    async renewIdentity(connectedAs: string | undefined, next: Identity): Promise<void> {
      await db.transaction('rw', db.meta, async () => {
        const current = await metaTable.myUserId(db);
        if (current === undefined || current === connectedAs || current === next.user_id) await metaTable.set(db, MetaKey.identity, next);
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
