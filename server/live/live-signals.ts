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
  /**
   * Presence changes heard and not delivered yet, in the order heard. They
   * are delivered in rounds: a round reads the rooms of every user in it at
   * once and gives each socket one frame with every change that concerns it,
   * so a burst (many people connecting at once, an instance's users going)
   * costs one read and one frame per socket, not one of each per change.
   */
  private presencePending: PresenceNotice['d'] = [];
  /** The round under way (each round takes whatever was heard before it started). */
  private presenceRound: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly hub: RoomHub,
    private readonly rooms: Pick<RoomsRepository, 'roomIdsOfMany'>,
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
  async presenceDelivered(): Promise<void> {
    while (this.presenceRound) await this.presenceRound;
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
      this.presencePending.push(...notice.d);
      this.presenceRound ??= this.deliverPresence();
      return;
    }
    if (notice.k !== 'typing') return;
    const frame: TypingFrame = { type: 'typing', room_id: notice.r, user_id: notice.u, typing: notice.t === 1 };
    this.hub.signal(notice.r, JSON.stringify(frame), notice.u);
  }

  /**
   * L1, M3: rounds until nothing is pending. Each change goes to the sockets
   * of this instance that share a room with its user (general is everyone's,
   * so in practice all), never to the user's own; a user's later change in
   * the same round replaces an earlier one (only where they stand now
   * matters), so online and offline never arrive swapped.
   */
  private async deliverPresence(): Promise<void> {
    try {
      while (this.presencePending.length > 0) {
        const latest = new Map<string, PresenceNotice['d'][number]>();
        for (const change of this.presencePending.splice(0)) {
          latest.delete(change.u);
          latest.set(change.u, change);
        }
        try {
          const rooms = await this.rooms.roomIdsOfMany([...latest.keys()]);
          const items = [...latest.values()].map((change) => ({
            roomIds: rooms.get(change.u) ?? [],
            userId: change.u,
            item: { user_id: change.u, status: change.s === 1 ? PresenceStatus.Online : PresenceStatus.Offline, last_seen: change.l },
          }));
          this.hub.signalAbout(items, (data) => JSON.stringify({ type: 'presence', data } satisfies PresenceFrame));
        } catch (error) {
          this.log.warn({ err: error }, 'presence not delivered');
        }
      }
    } finally {
      this.presenceRound = null;
    }
  }
}
