import { MetaKey, type Identity, type WhisperDatabase } from './whisper-db';

/** The `meta` table: small settings and per-room positions, one value per key. */
export const metaTable = {
  async get<T>(db: WhisperDatabase, key: string): Promise<T | undefined> {
    return (await db.meta.get(key))?.value as T | undefined;
  },
  set: (db: WhisperDatabase, key: string, value: unknown) => db.meta.put({ key, value }),
  remove: (db: WhisperDatabase, key: string) => db.meta.delete(key),

  /** Every key starting with `prefix`, with the rest of the key: e.g. every room's cursor. */
  async byPrefix<T>(db: WhisperDatabase, prefix: string): Promise<Map<string, T>> {
    const rows = await db.meta.where('key').startsWith(prefix).toArray();
    return new Map(rows.map((row) => [row.key.slice(prefix.length), row.value as T]));
  },

  identity: (db: WhisperDatabase) => metaTable.get<Identity>(db, MetaKey.identity),
  async myUserId(db: WhisperDatabase): Promise<string | undefined> {
    return (await metaTable.identity(db))?.user_id;
  },

  /**
   * Everything kept for the device's user: the identity, the account's
   * username, every room's cursor, paging and seen position, and drafts.
   * Only the tokens still to revoke stay (A4), and how far flushes have
   * gone (rows of the identity that leaves stay in the outbox, for it).
   */
  forgetUser: (db: WhisperDatabase) => db.meta.filter((row) => row.key !== MetaKey.tokensToRevoke && row.key !== MetaKey.flushedUpTo).delete(),

  /** Everything kept about one room (cursor, paging, seen position, draft): it is no longer the user's. */
  forgetRoom: (db: WhisperDatabase, roomId: string) =>
    db.meta.bulkDelete([MetaKey.syncedSeq(roomId), MetaKey.hasOlder(roomId), MetaKey.seenSeq(roomId), MetaKey.draft(roomId)]),
};
