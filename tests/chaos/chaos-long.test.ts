import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from './chaos.js';

/**
 * R1 soak, `npm run chaos` only (the chaos project excludes this file unless
 * CHAOS_LONG is set): thousands of messages over minutes, three kill -9s,
 * reloads, database stalls, and one silence long enough that every client
 * must give its dead socket up through its own heartbeat (C3, P9).
 * CHAOS_CLIENTS / CHAOS_MESSAGES resize it, CHAOS_SEED replays a schedule.
 */
const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? 30);
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 100);

describe('R1 chaos soak', () => {
  it(`[R1][S2][S3][S4][C1][C2][C3][C4][C5] ${CLIENTS} clients × ${MESSAGES} messages for minutes of cuts, drops, silences and kill -9s: every message stored exactly once, nothing acked lost, every client ends with the same sequence`, async () => {
    const report = await runChaos({
      clients: CLIENTS,
      messagesPerClient: MESSAGES,
      sendIntervalMs: [100, 2_000],
      cutIntervalMs: [500, 4_000],
      ackDropRate: 0.1,
      ackDropKillsNetwork: 0.3,
      messagesDropRate: 0.005,
      liveDropRate: 0.02,
      liveDropUntil: 0.9,
      silenceEveryMs: [5_000, 15_000],
      silenceMs: [300, 3_000],
      stallEveryMs: [3_000, 10_000],
      stallMs: [300, 3_000],
      kills: 3,
      killsAt: [0.35, 0.6, 0.85],
      downtimeMs: [0, 3_000],
      faultsAfterRestartMs: 10_000,
      reloadEveryMs: [2_000, 6_000],
      heartbeatSilenceAt: 0.05,
      settleTimeoutMs: 120_000,
      progressEveryMs: 10_000,
      tracePhases: Boolean(process.env.CHAOS_TRACE),
      seed: process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined,
      log: (line) => console.log(`[chaos] ${line}`),
    });
    console.log(formatReport(report));

    expect(report.problems).toEqual([]);
    expect(report.settled).toBe(true);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.messages).toBe(CLIENTS * MESSAGES);
    expect(report.stored).toBe(report.messages);
    expect(report.kills).toBe(3);
    expect(report.heartbeatSilences).toBe(1);
    // C3: every client that was live when the network went silent gave its socket up by heartbeat.
    expect(report.liveAtHeartbeatSilence).toBeGreaterThan(0);
    expect(report.heartbeatTimeouts).toBeGreaterThanOrEqual(report.liveAtHeartbeatSilence);
  }, 900_000);
});
