import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { RECEIPTS_FLUSH_MS, type ReceiptsFrame } from '../protocol/index.js';
import type { PgFanout } from '../realtime/pg-fanout.js';
import type { RoomHub } from '../realtime/room-hub.js';
import type { MovedMarker } from './read-markers-repository.js';

/** LISTEN/NOTIFY channel of marker changes (L5): not log entries, so not FANOUT_CHANNEL's. */
export const RECEIPTS_CHANNEL = 'whisper_receipts';
/** Markers per notice: each is about 60 bytes, far below NOTIFY's 8000 with room to spare. */
const MARKERS_PER_NOTICE = 64;

/** A notice: room, shared (1: every member hears it; 0: only each person's own devices), [user, delivered, read]… */
interface ReceiptsNotice {
  r: string;
  s: 0 | 1;
  d: [string, number, number][];
}

interface Pending {
  shared: boolean;
  /** Per person, the markers to announce (the newest known: they only grow). */
  markers: Map<string, [number, number]>;
}

/**
 * L3, L4, L5: marker changes reach the right sockets on every instance.
 * Changes made on this instance gather per room for RECEIPTS_FLUSH_MS (a
 * group reading one message is one frame), then go out in a NOTIFY; every
 * instance, this one included, hands the `receipts` frame to its own sockets:
 * in a DM or group to every member's, in a public room only to the person's
 * own (their other devices' unread counts), so nobody learns who read what
 * in a room everyone is in. A notice lost while an instance's listener
 * reconnects is made up by the next sync (the `rooms` frame carries the
 * markers).
 */
export class ReceiptsRelay {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private readonly readListeners: ((userId: string, roomId: string, readSeq: number) => void)[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly hub: RoomHub,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(fanout: PgFanout): Promise<void> {
    await fanout.listen(RECEIPTS_CHANNEL, (payload) => this.hear(payload));
  }

  /** Hears every read marker this instance moves forward (L3), after its commit (N1: clearing notifications elsewhere). */
  onRead(listener: (userId: string, roomId: string, readSeq: number) => void): void {
    this.readListeners.push(listener);
  }

  /** A read op moved the user's marker in the room to `readSeq`. */
  readMoved(userId: string, roomId: string, readSeq: number): void {
    for (const listener of this.readListeners) listener(userId, roomId, readSeq);
  }

  /** Queues moved markers for the next flush. */
  announce(markers: readonly MovedMarker[]): void {
    for (const marker of markers) {
      let room = this.pending.get(marker.room_id);
      if (!room) {
        room = { shared: marker.shared, markers: new Map() };
        this.pending.set(marker.room_id, room);
      }
      const known = room.markers.get(marker.user_id);
      room.markers.set(marker.user_id, [Math.max(known?.[0] ?? 0, marker.delivered_seq), Math.max(known?.[1] ?? 0, marker.read_seq)]);
    }
    this.timer ??= setTimeout(() => void this.flush(), RECEIPTS_FLUSH_MS);
  }

  /** Sends what is pending now (shutdown, tests). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rooms = [...this.pending];
    this.pending.clear();
    for (const [roomId, room] of rooms) {
      const markers = [...room.markers].map(([userId, [delivered, read]]): [string, number, number] => [userId, delivered, read]);
      for (let i = 0; i < markers.length; i += MARKERS_PER_NOTICE) {
        const notice: ReceiptsNotice = { r: roomId, s: room.shared ? 1 : 0, d: markers.slice(i, i + MARKERS_PER_NOTICE) };
        // Best effort, like every live signal: the next sync carries the markers anyway.
        await this.pool
          .query('SELECT pg_notify($1, $2)', [RECEIPTS_CHANNEL, JSON.stringify(notice)])
          .catch((error: unknown) => this.log.warn({ err: error }, 'receipts not announced'));
      }
    }
  }

  private hear(payload: string): void {
    let notice: ReceiptsNotice;
    try {
      notice = JSON.parse(payload) as ReceiptsNotice;
    } catch (error) {
      this.log.warn({ err: error, payload }, 'unreadable receipts notice');
      return;
    }
    const frameOf = (markers: ReceiptsNotice['d']): string => {
      const frame: ReceiptsFrame = {
        type: 'receipts',
        room_id: notice.r,
        data: markers.map(([userId, delivered, read]) => ({ user_id: userId, delivered_seq: delivered, read_seq: read })),
      };
      return JSON.stringify(frame);
    };
    if (notice.s === 1) this.hub.signalAll(notice.r, frameOf(notice.d));
    else for (const marker of notice.d) this.hub.signalUser(notice.r, frameOf([marker]), marker[0]);
  }
}
