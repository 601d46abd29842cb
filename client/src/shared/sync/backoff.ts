/** First reconnect delay after a connection is lost. */
export const BACKOFF_INITIAL_MS = 500;
/** Reconnect delays stop growing here: a phone coming back should not wait minutes. */
export const BACKOFF_MAX_MS = 30_000;
/**
 * Share of each delay that is random ("equal jitter"): the delay lies in
 * [base × (1 − JITTER), base]. After a server restart, thousands of clients
 * would otherwise reconnect in lockstep.
 */
export const BACKOFF_JITTER = 0.5;

/** Delay before reconnect attempt `attempt` (0 = first retry). `random` ∈ [0, 1). */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 - BACKOFF_JITTER + BACKOFF_JITTER * random));
}
