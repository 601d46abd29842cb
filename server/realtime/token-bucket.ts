/** A classic token bucket: `capacity` at once, refilled continuously. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
  }

  take(count = 1): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** True when the bucket is full again, so an idle entry can be forgotten. */
  get idle(): boolean {
    return this.tokens + ((performance.now() - this.last) / 1000) * this.refillPerSecond >= this.capacity;
  }
}
