import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { PresenceStatus, type PresenceEntry, type PresenceFrame, type TypingFrame } from '../protocol/index.js';
import type { PgFanout } from '../realtime/pg-fanout.js';
import type { RoomHub } from '../realtime/room-hub.js';
import type { RoomsRepository } from '../rooms/rooms-repository.js';

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
 * L1: users who came online (s: 1) or went offline (s: 0, l: last seen).
 * Several at once only when an instance goes (its users), split so each
 * notice stays far below NOTIFY's 8000 bytes.
 */
interface PresenceNotice {
  k: 'presence';
  d: { u: string; s: 0 | 1; l: string | null }[];
}

/** Users per presence notice: about 90 bytes each. */
const PRESENCE_NOTICE_USERS = 50;

type Notice = TypingNotice | PresenceNotice;

/** L1: the notices that announce these changes (sent by the transaction that made them true: presence-repository.ts). */
export function presenceNotices(entries: PresenceEntry[]): string[] {
  const notices: string[] = [];
  for (let i = 0; i < entries.length; i += PRESENCE_NOTICE_USERS) {
    const d = entries.slice(i, i + PRESENCE_NOTICE_USERS).map((entry) => ({ u: entry.user_id, s: entry.status === PresenceStatus.Online ? (1 as const) : (0 as const), l: entry.last_seen }));
    notices.push(JSON.stringify({ k: 'presence', d } satisfies PresenceNotice));
  }
  return notices;
}

/**
 * L1, L2 and L5: live signals cross instances through PostgreSQL. The instance
 * a signal reaches NOTIFYs it, and every instance (itself included: a single
 * path, whatever the number of instances) hands it to the sockets of its
 * own that hear that room, except the sockets of the user it is about.
 * Nothing is stored; a notice lost while an instance's listener reconnects
 * is not made up for: a typing indicator expires by itself (TYPING_EXPIRY_MS).
 */
export class LiveSignals {
  /** Presence notices are delivered one after another (each needs a read), so a user's online and offline keep their order. */
  private presenceQueue: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly hub: RoomHub,
    private readonly rooms: Pick<RoomsRepository, 'roomIdsOf'>,
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

  /** Resolves once every presence notice heard so far has been delivered (tests). */
  presenceDelivered(): Promise<void> {
    return this.presenceQueue;
  }

  private hear(payload: string): void {
    let notice: Notice;
    try {
      notice = JSON.parse(payload) as Notice;
    } catch (error) {
      this.log.warn({ err: error, payload }, 'unreadable live signal');
      return;
    }
    if (notice.k === 'presence') {
      const { d } = notice;
      this.presenceQueue = this.presenceQueue.then(() => this.deliverPresence(d)).catch((error: unknown) => this.log.warn({ err: error }, 'presence not delivered'));
      return;
    }
    if (notice.k !== 'typing') return;
    const frame: TypingFrame = { type: 'typing', room_id: notice.r, user_id: notice.u, typing: notice.t === 1 };
    this.hub.signal(notice.r, JSON.stringify(frame), notice.u);
  }

  /**
   * L1, M3: each change to the sockets of this instance that share a room
   * with the user (general is everyone's, so in practice all), once per
   * socket, never to the user's own.
   */
  private async deliverPresence(changes: PresenceNotice['d']): Promise<void> {
    for (const change of changes) {
      const frame: PresenceFrame = {
        type: 'presence',
        data: [{ user_id: change.u, status: change.s === 1 ? PresenceStatus.Online : PresenceStatus.Offline, last_seen: change.l }],
      };
      this.hub.signalRooms(await this.rooms.roomIdsOf(change.u), JSON.stringify(frame), change.u);
    }
  }
}
