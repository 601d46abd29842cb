import type { OutboxItem, WhisperDatabase } from './whisper-db';

/** The `outbox` table: unsent messages and ops, keyed (and so ordered) by client_id. */
export const outboxTable = {
  add: (db: WhisperDatabase, item: OutboxItem) => db.outbox.add(item),
  get: (db: WhisperDatabase, clientId: string) => db.outbox.get(clientId),
  bulkGet: (db: WhisperDatabase, clientIds: string[]) => db.outbox.bulkGet(clientIds),
  bulkPut: (db: WhisperDatabase, items: OutboxItem[]) => db.outbox.bulkPut(items),
  update: (db: WhisperDatabase, clientId: string, changes: Partial<OutboxItem>) => db.outbox.update(clientId, changes),
  delete: (db: WhisperDatabase, clientId: string) => db.outbox.delete(clientId),
  bulkDelete: (db: WhisperDatabase, clientIds: string[]) => db.outbox.bulkDelete(clientIds),

  /** Every row in key (= enqueue) order: one read, rather than a status-index cursor walked row by row. */
  inOrder: (db: WhisperDatabase) => db.outbox.orderBy('client_id').toArray(),
  /** One range read of the rows between two client_ids (inclusive), rather than a get per row. */
  between: (db: WhisperDatabase, first: string, last: string) => db.outbox.where(':id').between(first, last, true, true).toArray(),
  /** A room's rows (messages and ops), in enqueue order. */
  ofRoom: (db: WhisperDatabase, roomId: string) => db.outbox.where('room_id').equals(roomId).sortBy('client_id'),

  /** Unsent work the user would miss (read markers and mutes are not: L3, N1). */
  countUnsent: (db: WhisperDatabase) =>
    db.outbox
      .where('status')
      .anyOf('pending', 'sending')
      .filter((row) => !isQuietRow(row))
      .count(),
  countPending: (db: WhisperDatabase) => db.outbox.where('status').equals('pending').count(),
  /** Unsent rows (pending or sending) that `userId` would send: its own, and those written before the device had an identity. */
  countUnsentOf: (db: WhisperDatabase, userId: string) =>
    db.outbox
      .where('status')
      .anyOf('pending', 'sending')
      .filter((row) => (row.user_id === userId || row.user_id === null) && !isQuietRow(row))
      .count(),
  /** Rows written before the device had an identity become `userId`'s (before another identity could take them). */
  claimUnowned: (db: WhisperDatabase, userId: string) => db.outbox.filter((row) => row.user_id === null).modify({ user_id: userId }),
  /** Every row of `userId` (and unowned ones), whatever their status: that identity leaves the device (A4). */
  deleteOf: (db: WhisperDatabase, userId: string) => db.outbox.filter((row) => row.user_id === userId || row.user_id === null).delete(),

  /** Rows of `userId` that are not failed yet, changed by `changes`. */
  updateUnfailedOf: (db: WhisperDatabase, userId: string, changes: Partial<OutboxItem>) =>
    db.outbox.filter((row) => row.user_id === userId && row.status !== 'failed').modify(changes),
};

/** Whether a row is an op (P11); rows from before ops existed are messages. */
export function isOpRow(item: OutboxItem): item is OutboxItem & { kind: 'op'; op: NonNullable<OutboxItem['op']> } {
  return item.kind === 'op' && item.op !== undefined;
}

/**
 * L3: a read marker on its way. Not something the user wrote: it shows
 * nowhere (no pending mark, no room activity, no unsent-work warning), and
 * a refused one is dropped, never shown as failed.
 */
export function isReadRow(item: OutboxItem): boolean {
  return item.kind === 'op' && item.op?.op === 'read';
}

/**
 * L3, N1: a read marker or a mute on its way: the user's own settings, not
 * something they wrote to others. Shown nowhere as pending (no notice, no
 * room activity, no unsent-work warning), and a refused one is dropped (a
 * mute's effect, laid over the room while queued, goes with it).
 */
export function isQuietRow(item: OutboxItem): boolean {
  return isReadRow(item) || (item.kind === 'op' && item.op?.op === 'mute');
}
