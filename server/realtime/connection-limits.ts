import type { WebSocket } from 'ws';
import { TokenBucket } from './token-bucket.js';

/**
 * Limits per client address and per user (P8). One address is often many
 * people: a mobile carrier's CGNAT, a school's or an office's NAT, a VPN
 * exit, a benchmark's load generator. So per-address limits are sized for
 * thousands of people behind one address and only stop what no crowd does;
 * the abuse work is done per user (sockets per user, REST sends per token)
 * and per socket (frame and message budgets, chat-socket.ts).
 */
export interface AbuseLimits {
  /** ADDRESS_MAX_SOCKETS: sockets one address may hold at once. */
  maxSockets: number;
  /** ADDRESS_CONNECT_BURST: new sockets one address may open at once… */
  connectBurst: number;
  /** ADDRESS_CONNECTS_PER_SECOND: …and then per second. */
  connectsPerSecond: number;
  /** ADDRESS_SESSIONS_PER_MINUTE: POST /v1/session per address and minute. */
  sessionsPerMinute: number;
  /** ADDRESS_HISTORY_PER_MINUTE: GET /v1/chat/messages per address and minute. */
  historyPerMinute: number;
  /** ADDRESS_SENDS_PER_MINUTE: POST /v1/chat/messages per address and minute (all users together). */
  sendsPerMinute: number;
  /** USER_SENDS_PER_MINUTE: POST /v1/chat/messages per user (bearer token) and minute. */
  userSendsPerMinute: number;
  /** LOGINS_PER_USERNAME: failed logins on one username per 15 minutes, from anywhere, before it is held back (A3). */
  loginsPerUsername: number;
  /** USER_REQUESTS_PER_MINUTE: REST requests on rooms, DMs and people per user (bearer token) and minute. */
  userRequestsPerMinute: number;
}

export const DEFAULT_ABUSE_LIMITS: AbuseLimits = {
  // ~2,000 people with two or three tabs or devices each behind one
  // address. At 15.7 KiB per idle socket (README, capacity benchmark) one
  // address can hold at most ~80 MiB of the server: bounded, while a
  // single abuser is still held to 10 sockets by the per-user cap.
  maxSockets: 5_000,
  // A school's wifi coming back, or a server restart, reconnects everyone
  // behind the address at once; clients back off with jitter (500 ms × 2^n,
  // capped at 30 s), so 1,000 at once and 100/s after that brings 2,000
  // sockets back within ~10 s. A benchmark's rounds of 200 listeners fit
  // several times over. A handshake costs a token signature and no query.
  connectBurst: 1_000,
  connectsPerSecond: 100,
  // The app gets its identity from the socket's hello; this endpoint serves
  // scripts and other clients. A crowd's first morning (hundreds of devices
  // in a minute) passes; minting is only a signature, and a script minting
  // identities to dodge per-user limits is held to the connect rate's order.
  sessionsPerMinute: 1_000,
  // The client reads a newest page per new room and older pages as the user
  // scrolls: a few a minute each, so ~2,000 active readers. One indexed
  // range read per request.
  historyPerMinute: 12_000,
  // REST sends come from service-worker flushes (a few per user and minute);
  // the per-user limit below is what holds one sender back.
  sendsPerMinute: 6_000,
  // A full outbox flushes in batches of 100, so 300 requests a minute is
  // 30,000 messages: far beyond any person, while a script is held back
  // whatever address it comes from.
  userSendsPerMinute: 300,
  // The app makes these when a person acts (create, rename, add, leave),
  // opens a picker (a search per keystroke pause) or meets unknown names:
  // tens a minute at the busiest. 600 leaves room for scripts and bots
  // while one token cannot hammer the membership queries.
  userRequestsPerMinute: 600,
  // Someone who forgot their password tries a few; a guesser spread over
  // many addresses gets 20 wrong tries per quarter hour, ~2,000 a day:
  // nothing against a password that is not among the common ones the server
  // refuses. Counted in the database, so every instance holds the same line.
  loginsPerUsername: 20,
};

/** Sockets per user (tabs and devices); a newer one pushes out the oldest. */
export const MAX_SOCKETS_PER_USER = 10;
/** How often idle per-address buckets are forgotten. */
const SWEEP_INTERVAL_MS = 60_000;

/** Who is connected from where, and whether one more may connect. */
export class ConnectionLimits {
  private readonly byIp = new Map<string, number>();
  private readonly byUser = new Map<string, WebSocket[]>();
  private readonly connectRate = new Map<string, TokenBucket>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  constructor(private readonly limits: Pick<AbuseLimits, 'maxSockets' | 'connectBurst' | 'connectsPerSecond'> = DEFAULT_ABUSE_LIMITS) {}

  /** Null when the address may open another socket; otherwise why not. */
  refusal(ip: string): string | null {
    if ((this.byIp.get(ip) ?? 0) >= this.limits.maxSockets) return 'too many connections from this address';
    let bucket = this.connectRate.get(ip);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.connectBurst, this.limits.connectsPerSecond);
      this.connectRate.set(ip, bucket);
    }
    return bucket.take() ? null : 'connecting too often from this address';
  }

  /** Records an open socket; returns the user's sockets that must make room. */
  register(ip: string, userId: string, socket: WebSocket): WebSocket[] {
    this.byIp.set(ip, (this.byIp.get(ip) ?? 0) + 1);
    const sockets = this.byUser.get(userId) ?? [];
    sockets.push(socket);
    this.byUser.set(userId, sockets);
    return sockets.length > MAX_SOCKETS_PER_USER ? sockets.slice(0, sockets.length - MAX_SOCKETS_PER_USER) : [];
  }

  unregister(ip: string, userId: string, socket: WebSocket): void {
    const count = (this.byIp.get(ip) ?? 1) - 1;
    if (count > 0) this.byIp.set(ip, count);
    else this.byIp.delete(ip);
    const sockets = (this.byUser.get(userId) ?? []).filter((s) => s !== socket);
    if (sockets.length > 0) this.byUser.set(userId, sockets);
    else this.byUser.delete(userId);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    for (const [ip, bucket] of this.connectRate) if (bucket.idle) this.connectRate.delete(ip);
  }
}
