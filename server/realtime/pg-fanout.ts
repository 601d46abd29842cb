import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { HISTORY_MAX_LIMIT } from '../protocol/index.js';
import { readLog, type LogEntry } from '../rooms/room-log.js';
import type { RoomHub } from './room-hub.js';

/** LISTEN/NOTIFY channel on which every commit to a room log is announced (S6). */
export const FANOUT_CHANNEL = 'whisper_messages';

/**
 * The notification payload: ids, not bodies, to stay far below the 8000-byte
 * NOTIFY limit whatever the entries hold. Seqs a..b of room r were committed
 * (store_messages() in migrations/006, and the op runner in
 * rooms/op-runner.ts, send it inside the committing transaction).
 */
export interface CommitNotice {
  r: string;
  a: number;
  b: number;
}

/** Reconnect delays for the LISTEN connection: quick at first, capped. */
const LISTEN_RETRY_INITIAL_MS = 100;
const LISTEN_RETRY_MAX_MS = 5_000;
/**
 * Entries this process committed wait here until their notification comes
 * back, so they are published without a read. Bounded: if notifications stop
 * (listener down), the oldest are dropped and read back from the table.
 */
const MAX_REMEMBERED_PER_ROOM = 5_000;

/**
 * S6: fan-out through PostgreSQL. Every commit to a room's log NOTIFYs
 * {room, first seq, last seq}; every instance LISTENs and publishes those
 * entries (messages, and membership and room changes: E1) to its own
 * sockets, in seq order, exactly once. A gap (a missed notification, a
 * reconnect of the listener) is filled from the tables, so a socket never
 * misses an entry that another instance stored.
 */
export class PgFanout {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = LISTEN_RETRY_INITIAL_MS;
  /** Highest seq published per room; everything up to it has gone out. */
  private readonly published = new Map<string, number>();
  private readonly remembered = new Map<string, Map<number, LogEntry>>();
  /** Notices are handled one at a time, in the order PostgreSQL sent them. */
  private chain: Promise<void> = Promise.resolve();
  /** Other channels heard on the same connection (signals of other domains), with what to do after a reconnect. */
  private connectedBefore = false;
  private readonly signals = new Map<string, { onNotice: (payload: string) => void; onReconnect?: () => void }>();

  constructor(
    private readonly databaseUrl: string,
    private readonly hub: RoomHub,
    private readonly pool: pg.Pool,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  /** Called by the writer after COMMIT with what it stored. */
  remember(entries: LogEntry[]): void {
    for (const message of entries) {
      // The notice can overtake the COMMIT's reply: already published, keep nothing.
      if (message.seq <= (this.published.get(message.room_id) ?? 0)) continue;
      let room = this.remembered.get(message.room_id);
      if (!room) {
        room = new Map();
        this.remembered.set(message.room_id, room);
      }
      room.set(message.seq, message);
      if (room.size > MAX_REMEMBERED_PER_ROOM) room.delete(room.keys().next().value!);
    }
  }

  /**
   * Hears another channel on the listening connection. Notices sent while
   * it was down are lost: `onReconnect` runs after each reconnect to make up
   * for them.
   */
  async listen(channel: string, onNotice: (payload: string) => void, onReconnect?: () => void): Promise<void> {
    this.signals.set(channel, { onNotice, onReconnect });
    await this.client?.query(`LISTEN ${channel}`);
  }

  /** Resolves once every notice received so far has been published (tests, shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'whisper-fanout', keepAlive: true });
    client.on('notification', (message) => {
      const signal = this.signals.get(message.channel);
      if (signal && message.payload) {
        signal.onNotice(message.payload);
        return;
      }
      if (message.channel !== FANOUT_CHANNEL || !message.payload) return;
      try {
        const notice = JSON.parse(message.payload) as CommitNotice;
        this.enqueue(() => this.deliver(notice.r, notice.a, notice.b));
      } catch (error) {
        this.log.warn({ err: error, payload: message.payload }, 'unreadable fan-out notice');
      }
    });
    // Without a listener an 'error' would crash the process; reconnect instead.
    client.on('error', (error) => this.log.warn({ err: error }, 'fan-out listener lost'));
    client.on('end', () => {
      if (this.client !== client || this.stopped) return;
      this.client = null;
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${FANOUT_CHANNEL}`);
    for (const channel of this.signals.keys()) await client.query(`LISTEN ${channel}`);
    const reconnected = this.connectedBefore;
    this.connectedBefore = true;
    this.client = client;
    this.retryMs = LISTEN_RETRY_INITIAL_MS;
    if (reconnected) for (const signal of this.signals.values()) signal.onReconnect?.();
    // Whatever was committed while we were not listening.
    this.enqueue(() => this.catchUpAll());
  }

  private scheduleReconnect(): void {
    const delay = this.retryMs;
    this.retryMs = Math.min(LISTEN_RETRY_MAX_MS, this.retryMs * 2);
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((error: unknown) => {
        this.log.warn({ err: error }, 'fan-out listener could not reconnect');
        this.scheduleReconnect();
      });
    }, delay).unref();
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      // A failed read leaves `published` where it was: the next notice for
      // the room sees the gap and reads it again.
      this.log.warn({ err: error }, 'fan-out delivery failed');
    });
  }

  private async deliver(roomId: string, first: number, last: number): Promise<void> {
    const done = this.published.get(roomId);
    // The first notice for a room in this process starts its stream.
    const from = done === undefined ? first : done + 1;
    if (last < from) return;
    const remembered = this.remembered.get(roomId);
    const batch: LogEntry[] = [];
    let missing = false;
    for (let seq = from; seq <= last; seq++) {
      const message = remembered?.get(seq);
      if (!message) {
        missing = true;
        break;
      }
      batch.push(message);
    }
    const messages = missing ? await this.read(roomId, from - 1, last) : batch;
    for (const message of messages) remembered?.delete(message.seq);
    this.hub.publish(roomId, messages);
    this.published.set(roomId, Math.max(last, done ?? 0));
  }

  private async catchUpAll(): Promise<void> {
    for (const [roomId, done] of this.published) {
      const { rows } = await this.pool.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [roomId]);
      const head = rows[0]?.last_seq ?? null;
      if (head !== null && head > done) await this.deliver(roomId, done + 1, head);
    }
  }

  /** Entries with afterSeq < seq ≤ last, in seq order. */
  private async read(roomId: string, afterSeq: number, last: number): Promise<LogEntry[]> {
    const result: LogEntry[] = [];
    let cursor = afterSeq;
    while (cursor < last) {
      const page = await readLog(this.pool, roomId, cursor, last, HISTORY_MAX_LIMIT);
      if (page.length === 0) break;
      result.push(...page);
      cursor = page[page.length - 1].seq;
    }
    return result;
  }
}
