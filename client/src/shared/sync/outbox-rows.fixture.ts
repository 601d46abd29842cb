import type { OutboxItem } from '../db/whisper-db';
import { pendingItem } from './chat-store';

/**
 * For tests: `count` pending outbox rows in key (= enqueue) order, written
 * with one bulkAdd instead of `count` enqueues, which would take fake
 * IndexedDB a long while for a thousand rows.
 */
export function pendingRows(count: number, roomId: string): OutboxItem[] {
  const createdAt = new Date(0).toISOString();
  return Array.from({ length: count }, (_, i) => pendingItem(`01ARZ3NDEK${String(i).padStart(16, '0')}`, roomId, `m${i}`, createdAt));
}
