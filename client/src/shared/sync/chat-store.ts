import { metaTable } from '../db/meta.table';
import { MetaKey, type Identity, type WhisperDatabase } from '../db/whisper-db';
import { createLogStore, type LogStoreOptions } from './log-store';
import { createOutboxStore } from './outbox-store';

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
    myUserId: () => metaTable.myUserId(db),

    getDraft: async (roomId: string) => (await metaTable.get<string>(db, MetaKey.draft(roomId))) ?? '',
    setDraft: (roomId: string, text: string) => (text ? metaTable.set(db, MetaKey.draft(roomId), text) : metaTable.remove(db, MetaKey.draft(roomId))),
  };
}

export type ChatStore = ReturnType<typeof createChatStore>;
