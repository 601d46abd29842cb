import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { TypingFrame } from '../protocol/index.js';
import type { PgFanout } from '../realtime/pg-fanout.js';
import type { RoomHub } from '../realtime/room-hub.js';

/**
 * LISTEN/NOTIFY channel of the live signals (L5), apart from the room logs'
 * (FANOUT_CHANNEL): a signal is not a commit, has no seq and is never read
 * back from a table.
 */
export const LIVE_CHANNEL = 'whisper_live';

/** A typing signal on the channel: room, user, typing (1) or stopped (0). Small, far below NOTIFY's 8000 bytes. */
interface TypingNotice {
  k: 'typing';
  r: string;
  u: string;
  t: 0 | 1;
}

/**
 * L2 and L5: live signals cross instances through PostgreSQL. The instance
 * a signal reaches NOTIFYs it, and every instance (itself included: a single
 * path, whatever the number of instances) hands it to the sockets of its
 * own that hear that room, except the sockets of the user it is about.
 * Nothing is stored; a notice lost while an instance's listener reconnects
 * is not made up for: a typing indicator expires by itself (TYPING_EXPIRY_MS).
 */
export class LiveSignals {
  constructor(
    private readonly pool: pg.Pool,
    private readonly hub: RoomHub,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(fanout: PgFanout): Promise<void> {
    await fanout.listen(LIVE_CHANNEL, (payload) => this.hear(payload));
  }

  /** Announces to every instance that `userId` is typing (or stopped) in `roomId`. */
  async typing(roomId: string, userId: string, typing: boolean): Promise<void> {
    const notice: TypingNotice = { k: 'typing', r: roomId, u: userId, t: typing ? 1 : 0 };
    await this.pool.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify(notice)]);
  }

  private hear(payload: string): void {
    let notice: TypingNotice;
    try {
      notice = JSON.parse(payload) as TypingNotice;
    } catch (error) {
      this.log.warn({ err: error, payload }, 'unreadable live signal');
      return;
    }
    if (notice.k !== 'typing') return;
    const frame: TypingFrame = { type: 'typing', room_id: notice.r, user_id: notice.u, typing: notice.t === 1 };
    this.hub.signal(notice.r, JSON.stringify(frame), notice.u);
  }
}
