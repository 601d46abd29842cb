import type { ChaosOptions } from './chaos.js';

/** The short run's faults; each test below adds its own setting. */
export const SHORT_RUN: ChaosOptions = {
  clients: 8,
  messagesPerClient: 30,
  sendIntervalMs: [50, 700],
  cutIntervalMs: [500, 2_500],
  ackDropRate: 0.2,
  ackDropKillsNetwork: 0.5,
  messagesDropRate: 0.02,
  liveDropRate: 0.05,
  liveDropUntil: 0.8,
  silenceEveryMs: [4_000, 8_000],
  silenceMs: [300, 1_000],
  stallEveryMs: [1_500, 4_000],
  stallMs: [300, 2_000],
  kills: 1,
  killsAt: [0.3],
  downtimeMs: [0, 1_000],
  faultsAfterRestartMs: 8_000,
  reloadEveryMs: [2_000, 5_000],
  settleTimeoutMs: 45_000,
  progressEveryMs: process.env.CHAOS_PROGRESS ? 1_000 : 0,
  tracePhases: Boolean(process.env.CHAOS_TRACE),
  seed: process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined,
  log: (line) => console.log(`[chaos] ${line}`),
};
