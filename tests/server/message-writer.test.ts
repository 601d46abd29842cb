import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageWriter } from '../../server/messages/message-writer.js';
import { DEFAULT_ROOM_ID, MAX_BATCH_SIZE } from '../../server/protocol/index.js';
import { createMessagesRepository, isStored, type NewMessage } from '../../server/messages/messages-repository.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

const silent = { debug: () => undefined } as unknown as FastifyBaseLogger;
/** Wide enough that a slow CI machine still delivers the next frame within it. */
const GATHER = { flushGatherQuietMs: 200, flushGatherMaxMs: 5_000 };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A writer on the real repository that records the size of each commit. */
function countingWriter(options = GATHER) {
  const repository = createMessagesRepository(db.pool);
  const commits: number[] = [];
  const counted = {
    ...repository,
    insertBatch: (roomId: string, items: NewMessage[]) => {
      commits.push(items.length);
      return repository.insertBatch(roomId, items);
    },
  };
  return { writer: new MessageWriter(counted, () => undefined, silent, options), commits };
}

function frame(userId: string, size: number): NewMessage[] {
  return Array.from({ length: size }, (_, i) => ({ userId, clientId: ulid(), content: `m${i}` }));
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('[S4] full frames arriving one after another (a reconnect flush) share one commit, in order', async () => {
    const { writer, commits } = countingWriter();
    const user = randomUUID();
    const frames = [frame(user, MAX_BATCH_SIZE), frame(user, MAX_BATCH_SIZE), frame(user, MAX_BATCH_SIZE), frame(user, 40)];
    const acks = [];
    for (const items of frames) {
      acks.push(writer.write(DEFAULT_ROOM_ID, items));
      // Each frame in its own turn, as separate socket reads deliver them.
      await nextTurn();
      await nextTurn();
    }
    const results = await Promise.all(acks);
    expect(commits).toEqual([3 * MAX_BATCH_SIZE + 40]);
    // Number(): the server's int8 parser lives in its db plugin, not loaded here.
    const stored = results.flat().filter(isStored);
    expect(stored).toHaveLength(frames.flat().length);
    const seqs = stored.map((result) => Number(result.message.seq));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    expect(stored.map((result) => result.message.client_id)).toEqual(frames.flat().map((item) => item.clientId));
  });

  it('[S4] a lone message, or a partial frame, commits without waiting for more', async () => {
    const { writer, commits } = countingWriter();
    const user = randomUUID();
    const first = writer.write(DEFAULT_ROOM_ID, frame(user, 1));
    await first;
    // Had the writer waited its 200 ms quiet window, this one would have joined.
    const second = writer.write(DEFAULT_ROOM_ID, frame(user, MAX_BATCH_SIZE - 1));
    await nextTurn();
    await nextTurn();
    const third = writer.write(DEFAULT_ROOM_ID, frame(user, 1));
    await Promise.all([second, third]);
    expect(commits).toEqual([1, MAX_BATCH_SIZE - 1, 1]);
  });
});
