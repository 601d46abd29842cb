import Dexie from 'dexie';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { MetaKey, WhisperDatabase } from './whisper-db';

describe('database schema', () => {
  it('[M6][C8] upgrading a version-2 database keeps its cache, and each room is seen up to its cursor (nothing old shows as unread)', async () => {
    const name = `upgrade-v2-${ulid()}`;
    const v2 = new Dexie(name);
    v2.version(1).stores({ messages: 'id, [room_id+seq], client_id', outbox: 'client_id, room_id, status', meta: 'key' });
    v2.version(2).stores({ outbox: 'client_id, room_id, status' });
    await v2.table('meta').bulkPut([
      { key: MetaKey.syncedSeq('general'), value: 1200 },
      { key: MetaKey.draft('general'), value: 'half-written' },
    ]);
    await v2.table('messages').put({ id: ulid(), seq: 1200, room_id: 'general', user_id: 'x', client_id: null, content: 'old', created_at: new Date().toISOString() });
    v2.close();
    const upgraded = new WhisperDatabase(name);
    expect(await upgraded.meta.get(MetaKey.seenSeq('general'))).toEqual({ key: MetaKey.seenSeq('general'), value: 1200 });
    expect(await upgraded.meta.get(MetaKey.draft('general'))).toMatchObject({ value: 'half-written' });
    expect(await upgraded.messages.count()).toBe(1);
    expect(await upgraded.rooms.count()).toBe(0);
    upgraded.close();
    await upgraded.delete();
  });

  it('[F2][C1] upgrading a version-3 database keeps its outbox and adds the files table', async () => {
    const name = `upgrade-v3-${ulid()}`;
    const v3 = new Dexie(name);
    v3.version(1).stores({ messages: 'id, [room_id+seq], client_id', outbox: 'client_id, room_id, status', meta: 'key' });
    v3.version(2).stores({ outbox: 'client_id, room_id, status' });
    v3.version(3).stores({ rooms: 'id', users: 'id', events: 'id, [room_id+seq]' });
    await v3.table('outbox').put({ client_id: ulid(), user_id: null, room_id: 'general', content: 'queued', created_at: new Date().toISOString(), status: 'pending', attempts: 0, sent_at: null, sent_on: null, error_code: null, error_message: null });
    v3.close();
    const upgraded = new WhisperDatabase(name);
    expect(await upgraded.outbox.count()).toBe(1);
    expect(await upgraded.files.count()).toBe(0);
    upgraded.close();
    await upgraded.delete();
  });
});
