/**
 * Latency histogram with fixed 0.1 ms buckets up to 60 s (one overflow bucket
 * beyond): constant memory however many copies are counted, exact to 0.1 ms.
 */
const RESOLUTION_MS = 0.1;
const MAX_MS = 60_000;
const BUCKETS = MAX_MS / RESOLUTION_MS;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  max = 0;
  private sum = 0;

  add(ms: number): void {
    const value = ms < 0 ? 0 : ms;
    const bucket = Math.min(BUCKETS, Math.floor(value / RESOLUTION_MS));
    this.counts[bucket]++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** The value at or below which `p` (0–100) percent of the samples fall; null when empty. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let bucket = 0; bucket <= BUCKETS; bucket++) {
      seen += this.counts[bucket];
      if (seen >= rank) return bucket === BUCKETS ? this.max : round((bucket + 1) * RESOLUTION_MS);
    }
    return this.max;
  }

  summary(): { p50: number | null; p95: number | null; p99: number | null; max: number | null; mean: number | null } {
    return {
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.count === 0 ? null : round(this.max),
      mean: this.count === 0 ? null : round(this.sum / this.count),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The middle value (the upper one of the two middles for an even count), as the benchmarks quote it. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
