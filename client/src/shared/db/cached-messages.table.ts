import type { CachedMessage, WhisperDatabase } from './whisper-db';

/**
 * The `messages` table read whole, across rooms: searching this device
 * (Q2). Apart from messages.table.ts, whose per-room reads the first screen
 * uses, so this stays in the search dialog's code.
 */
export const cachedMessagesTable = {
  all: (db: WhisperDatabase): Promise<CachedMessage[]> => db.messages.toArray(),
};
