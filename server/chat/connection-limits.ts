import type { WebSocket } from 'ws';
import { TokenBucket } from './token-bucket.js';

/**
 * Sockets one address may hold at once. Generous: a household or an office
 * behind one NAT address shares it.
 */
export const MAX_SOCKETS_PER_IP = 200;
/** New sockets per address: a burst, then a steady rate (reconnect storms included). */
export const CONNECT_BURST_PER_IP = 200;
export const CONNECT_REFILL_PER_IP_PER_SECOND = 20;
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

  /** Null when the address may open another socket; otherwise why not. */
  refusal(ip: string): string | null {
    if ((this.byIp.get(ip) ?? 0) >= MAX_SOCKETS_PER_IP) return 'too many connections from this address';
    let bucket = this.connectRate.get(ip);
    if (!bucket) {
      bucket = new TokenBucket(CONNECT_BURST_PER_IP, CONNECT_REFILL_PER_IP_PER_SECOND);
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
