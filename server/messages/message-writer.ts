import type { FastifyBaseLogger } from 'fastify';
import { MAX_BATCH_SIZE, type Attachment, type ChatMessage } from '../protocol/index.js';
import { isStored, type MessagesRepository, type NewMessage, type WriteResult } from './messages-repository.js';

/**
 * Upper bound on one transaction. Large enough that a reconnect flush of a
 * full outbox commits in a few round trips, small enough to keep the room
 * lock short.
 */
const MAX_ITEMS_PER_COMMIT = 1000;

/**
 * A full frame (MAX_BATCH_SIZE items) says its sender had more queued than
 * one frame holds: a reconnect flushing a long outbox, whose next frames are
 * already on the wire. The writer waits for them while they keep coming (a
 * gap this long means the flush is over), up to FLUSH_GATHER_MAX_MS, so the
 * whole flush shares one commit instead of the first frame committing alone
 * and the rest queueing behind it. A batch that ends in a partial frame (a
 * lone message, the end of a flush) never waits.
 */
export const FLUSH_GATHER_QUIET_MS = 1;
export const FLUSH_GATHER_MAX_MS = 5;

export interface MessageWriterOptions {
  flushGatherQuietMs?: number;
  flushGatherMaxMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once the current turn of the event loop is over: every callback
 * and promise chain woken so far (a socket's next frame, the continuations
 * of the acks just resolved) has run.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Job {
  items: NewMessage[];
  resolve(results: WriteResult[]): void;
  reject(error: unknown): void;
}

interface RoomQueue {
  jobs: Job[];
  running: Promise<void>;
}

/**
 * Group commit per room: while one transaction for a room is in flight,
 * everything else sent to that room queues up and goes into the next one.
 */
export class MessageWriter {
  private readonly queues = new Map<string, RoomQueue>();
  private readonly commitListeners: ((messages: ChatMessage[]) => void)[] = [];

  constructor(
    private readonly repository: MessagesRepository,
    /** Receives the newly stored messages of each commit (for fan-out). */
    private readonly onCommitted: (messages: ChatMessage[]) => void,
    private readonly log: FastifyBaseLogger,
    private readonly options: MessageWriterOptions = {},
  ) {}

  /** Resolves, after COMMIT, with one result per item in order. */
  write(roomId: string, items: NewMessage[]): Promise<WriteResult[]> {
    return new Promise((resolve, reject) => {
      const job: Job = { items, resolve, reject };
      const queue = this.queues.get(roomId);
      if (queue) {
        queue.jobs.push(job);
        return;
      }
      const fresh: RoomQueue = { jobs: [job], running: Promise.resolve() };
      this.queues.set(roomId, fresh);
      fresh.running = this.run(roomId, fresh);
    });
  }

  /** Hears the new messages of each commit, after the fan-out has them (N1: pushes). Never for resends. */
  onCommit(listener: (messages: ChatMessage[]) => void): void {
    this.commitListeners.push(listener);
  }

  /** Which of these rooms the user may post to (one query, no transaction, no room lock). */
  postableRooms(userId: string, roomIds: string[]): Promise<Set<string>> {
    return this.repository.postableRooms(userId, roomIds);
  }

  /** F3: the attachments these upload ids stand for, where each is a finished upload of the user's (one query). */
  resolveUploads(userId: string, uploadIds: string[]): Promise<Map<string, Attachment>> {
    return this.repository.resolveUploads(userId, uploadIds);
  }

  /** Waits until every queued write has committed or failed (shutdown). */
  async drain(): Promise<void> {
    while (this.queues.size > 0) {
      await Promise.all([...this.queues.values()].map((queue) => queue.running));
    }
  }

  private async run(roomId: string, queue: RoomQueue): Promise<void> {
    // Sends that arrive in the same turn join the first transaction instead
    // of the first one going alone.
    await nextTurn();
    while (queue.jobs.length > 0) {
      await this.gatherFlush(queue);
      const batch = this.takeBatch(queue);
      try {
        const results = await this.repository.insertBatch(
          roomId,
          batch.flatMap((job) => job.items),
        );
        let offset = 0;
        for (const job of batch) {
          job.resolve(results.slice(offset, offset + job.items.length));
          offset += job.items.length;
        }
        // Resends are known to everyone already: the commit that stored them
        // was announced to every instance, even if its ack was lost.
        const created = results.filter(isStored).filter((result) => result.created).map((result) => result.message);
        this.onCommitted(created);
        if (created.length > 0) for (const listener of this.commitListeners) listener(created);
      } catch (error) {
        this.log.debug({ err: error, roomId }, 'message batch not stored');
        for (const job of batch) job.reject(error);
      }
      // The acks just resolved wake their sockets, whose next frames are
      // often already waiting: let them queue before the next batch is taken,
      // or it starts with whoever came first and the rest wait a whole
      // commit (batches alternate 1, n-1, 1, n-1, … under steady load).
      await nextTurn();
    }
    this.queues.delete(roomId);
  }

  /** See FLUSH_GATHER_QUIET_MS. */
  private async gatherFlush(queue: RoomQueue): Promise<void> {
    const quietMs = this.options.flushGatherQuietMs ?? FLUSH_GATHER_QUIET_MS;
    const deadline = performance.now() + (this.options.flushGatherMaxMs ?? FLUSH_GATHER_MAX_MS);
    const queued = () => queue.jobs.reduce((count, job) => count + job.items.length, 0);
    while (
      queue.jobs.at(-1)!.items.length >= MAX_BATCH_SIZE &&
      queued() < MAX_ITEMS_PER_COMMIT &&
      performance.now() < deadline
    ) {
      const before = queue.jobs.length;
      await sleep(quietMs);
      if (queue.jobs.length === before) return;
    }
  }

  private takeBatch(queue: RoomQueue): Job[] {
    let count = 0;
    let take = 0;
    // Always take at least one job, so an oversized job cannot stall the queue.
    while (take < queue.jobs.length && (take === 0 || count + queue.jobs[take].items.length <= MAX_ITEMS_PER_COMMIT)) {
      count += queue.jobs[take].items.length;
      take++;
    }
    return queue.jobs.splice(0, take);
  }
}
