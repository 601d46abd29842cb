import Dexie from 'dexie';
import { useLiveQuery } from 'dexie-react-hooks';
import { MetaKey, type CachedMessage, type Identity, type OutboxItem } from '../db/whisper-db';
import { useEngine } from './engine-context';
import { failureText } from './failure-text';
import type { TimelineItem } from './timeline';

export interface RoomTimeline {
  items: TimelineItem[];
  hasOlder: boolean;
  /** False until the first read of IndexedDB has finished. */
  loaded: boolean;
}

function fromMessage(message: CachedMessage, me: string | undefined): TimelineItem {
  const own = me !== undefined && message.user_id === me;
  return {
    key: message.client_id && own ? message.client_id : message.id,
    id: message.id,
    clientId: message.client_id,
    seq: message.seq,
    userId: message.user_id,
    content: message.content,
    // Own messages keep the time they were written, not the server's (C6).
    createdAt: message.written_at ?? message.created_at,
    own,
    status: own ? 'sent' : null,
    error: null,
    retryable: false,
  };
}

function fromOutbox(item: OutboxItem, me: string | undefined): TimelineItem {
  return {
    key: item.client_id,
    id: null,
    clientId: item.client_id,
    seq: null,
    userId: me ?? null,
    content: item.content,
    createdAt: item.created_at,
    own: true,
    status: item.status,
    error: failureText(item),
    // Written by an identity the server no longer knows: sending it as the
    // current one could store it twice (P1), so it can only be deleted.
    retryable: item.status === 'failed' && item.error_code !== 'signed_out',
  };
}

/**
 * The newest `limit` stored messages of the room in seq order, then the
 * outbox in enqueue order. Both tables are read in one live query, so an
 * ack moving a row from the outbox to the history is seen as one change (C5).
 */
export function useRoomTimeline(limit: number): RoomTimeline {
  const { db, roomId } = useEngine();
  const result = useLiveQuery(async () => {
    const [messages, outbox, identity, hasOlder] = await Promise.all([
      db.messages.where('[room_id+seq]').between([roomId, Dexie.minKey], [roomId, Dexie.maxKey]).reverse().limit(limit).toArray(),
      db.outbox.where('room_id').equals(roomId).sortBy('client_id'),
      db.meta.get(MetaKey.identity),
      db.meta.get(MetaKey.hasOlder(roomId)),
    ]);
    const me = (identity?.value as Identity | undefined)?.user_id;
    const stored = new Set(messages.filter((m) => m.user_id === me).map((m) => m.client_id));
    const ascending = messages.reverse();
    const items = [
      ...ascending.map((m) => fromMessage(m, me)),
      // Defensive: a row that is both stored and queued is shown once, as stored.
      ...outbox.filter((item) => !stored.has(item.client_id)).map((item) => fromOutbox(item, me)),
    ];
    // Older messages exist locally beyond the window, or on the server
    // (unless a history page said there are none, or seq 1 is already here).
    const oldest = ascending[0]?.seq ?? 1;
    const serverHasOlder = (hasOlder?.value as boolean | undefined) ?? true;
    return { items, hasOlder: oldest > 1 && (messages.length >= limit || serverHasOlder) };
  }, [db, roomId, limit]);
  return { items: result?.items ?? [], hasOlder: result?.hasOlder ?? false, loaded: result !== undefined };
}
