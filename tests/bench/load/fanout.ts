/**
 * Fan-out load generator (one child process per server under test).
 *
 * Opens `listeners` + `senders` sockets to one server, spread over loopback
 * source addresses, all in one room. Then for each rate in `rates` (total
 * messages per second over all senders): the senders send for `windowMs`,
 * one message per frame, round robin, each message's content carrying the
 * rate's tag and the send time (performance.now() of this process, the same
 * clock the listeners read). Listeners count every copy of the rate's
 * messages and record receive time − send time. After the window the run
 * waits up to `drainMs` for the rest, then reports:
 *   delivered = copies received / (messages sent × listeners)
 *   p50/p95/p99 latency, the send rate actually achieved, CPU use.
 * A rate passes with delivered ≥ passDelivered, p95 ≤ passP95Ms and the
 * offered rate really offered (≥ 95 %). The ramp stops after
 * `maxConsecutiveFailures` failures in a row.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connectBenchSocket, type BenchSocket, type Target } from '../lib/clients.js';
import { LatencyHistogram } from '../lib/histogram.js';
import { CpuMeter, emit, loadConfig, log, mapLimit, postgresBackendPids, runLoadGenerator, sleep } from '../lib/loadgen.js';
import { addressFor } from '../lib/loopback.js';

export interface FanoutConfig {
  target: Target;
  url: string;
  addresses: string[];
  perAddress: number;
  listeners: number;
  senders: number;
  rates: number[];
  windowMs: number;
  drainMs: number;
  contentBytes: number;
  maxConsecutiveFailures: number;
  passDelivered: number;
  passP95Ms: number;
  connectConcurrency: number;
  serverPid?: number;
  /** Whisper: its database, to count the CPU of the PostgreSQL backends serving it. */
  databaseUrl?: string;
}

export interface FanoutStep {
  rate: number;
  sent: number;
  achievedSendRate: number;
  expectedCopies: number;
  receivedCopies: number;
  delivered: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  pass: boolean;
  why: string;
  problems: number;
  loadgenCpuPct: number;
  serverCpuPct: number | null;
  postgresCpuPct: number | null;
  machineCpuPct: number;
  /** The load generator's own event-loop delay (p99, ms): high means it, not the server, was the bottleneck. */
  loadgenLoopDelayP99: number;
}

/** Quiet time that ends the wait for stragglers between rates. */
const QUIET_MS = 500;
const QUIESCE_MAX_MS = 30_000;
const SEND_TICK_MS = 1;

runLoadGenerator(async () => {
  const config = loadConfig<FanoutConfig>();
  const { target, listeners, senders } = config;

  let currentTag = -1;
  let received = 0;
  let stale = 0;
  let lastReceiveAt = performance.now();
  let histogram = new LatencyHistogram();
  let problems = 0;
  const problemSamples: string[] = [];
  const onProblem = (what: string) => {
    problems++;
    if (problemSamples.length < 5) problemSamples.push(what);
  };
  const onStamp = (tag: number, sentAt: number, now: number) => {
    lastReceiveAt = now;
    if (tag !== currentTag) {
      stale++;
      return;
    }
    received++;
    histogram.add(now - sentAt);
  };

  // Listeners first, so every message sent later has its full audience.
  const total = listeners + senders;
  log(`${target}: connecting ${listeners} listeners + ${senders} senders over ${Math.ceil(total / config.perAddress)} source addresses`);
  const sockets = await mapLimit(Array.from({ length: total }, (_, i) => i), config.connectConcurrency, (i) =>
    connectBenchSocket(target, config.url, addressFor(config.addresses, i, config.perAddress), {
      onStamp: i < listeners ? onStamp : undefined,
      onProblem,
    }),
  );
  const senderSockets: BenchSocket[] = sockets.slice(listeners);
  const closeAll = () => sockets.forEach((socket) => socket.close());

  const pad = 'p'.repeat(Math.max(0, config.contentBytes - 24));
  let clientCounter = 0;

  /** Sends `rate` msg/s for `windowMs`; returns how many were sent and over how long. */
  const sendAt = (tag: number, rate: number, windowMs: number) =>
    new Promise<{ sent: number; seconds: number }>((resolve) => {
      const planned = Math.max(1, Math.round((rate * windowMs) / 1000));
      const start = performance.now();
      let sent = 0;
      const tick = () => {
        const now = performance.now();
        const due = Math.min(planned, Math.floor(((now - start) * rate) / 1000) + 1);
        while (sent < due) {
          const socket = senderSockets[sent % senderSockets.length];
          socket.send(`c${(clientCounter++).toString(36)}`, `${tag}:${performance.now().toFixed(3)}:${pad}`);
          sent++;
        }
        if (sent >= planned) {
          clearInterval(timer);
          // The last message went out at the start of this tick; the window is that long.
          resolve({ sent, seconds: Math.max((now - start) / 1000, windowMs / 1000) });
        }
      };
      const timer = setInterval(tick, SEND_TICK_MS);
      tick();
    });

  const quiesce = async () => {
    const deadline = performance.now() + QUIESCE_MAX_MS;
    while (performance.now() - lastReceiveAt < QUIET_MS && performance.now() < deadline) await sleep(50);
  };

  // Warm-up: a trickle every listener must see, so every subscription is live
  // (and the server's code paths are warm) before anything is measured.
  currentTag = 0;
  const warm = await sendAt(0, 50, 400);
  const warmDeadline = performance.now() + 15_000;
  while (received < warm.sent * listeners && performance.now() < warmDeadline) await sleep(20);
  if (received < warm.sent * listeners) {
    closeAll();
    throw new Error(`warm-up: only ${received} of ${warm.sent * listeners} copies arrived (${problems} problems: ${problemSamples.join(' | ')})`);
  }
  await quiesce();

  const steps: FanoutStep[] = [];
  let failuresInARow = 0;
  for (const [index, rate] of config.rates.entries()) {
    const tag = index + 1;
    currentTag = tag;
    received = 0;
    histogram = new LatencyHistogram();
    const problemsBefore = problems;
    const cpu = new CpuMeter(config.serverPid, await postgresBackendPids(config.databaseUrl));
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const { sent, seconds } = await sendAt(tag, rate, config.windowMs);
    const expectedCopies = sent * listeners;
    const drainDeadline = performance.now() + config.drainMs;
    while (received < expectedCopies && performance.now() < drainDeadline) await sleep(10);
    const usage = cpu.read();
    loopDelay.disable();
    const loadgenLoopDelayP99 = Math.round(loopDelay.percentile(99) / 1e5) / 10;
    const { p50, p95, p99, max } = histogram.summary();
    const delivered = received / expectedCopies;
    const achievedSendRate = Math.round(sent / seconds);
    const reasons: string[] = [];
    if (achievedSendRate < rate * 0.95) reasons.push(`load generator sent only ${achievedSendRate}/s`);
    if (delivered < config.passDelivered) reasons.push(`delivered ${(delivered * 100).toFixed(2)}%`);
    if (p95 === null || p95 > config.passP95Ms) reasons.push(`p95 ${p95} ms`);
    if (problems > problemsBefore) reasons.push(`${problems - problemsBefore} socket problems`);
    const step: FanoutStep = {
      rate,
      sent,
      achievedSendRate,
      expectedCopies,
      receivedCopies: received,
      delivered: Math.round(delivered * 1e6) / 1e6,
      p50,
      p95,
      p99,
      max,
      pass: reasons.length === 0,
      why: reasons.join('; '),
      problems: problems - problemsBefore,
      ...usage,
      loadgenLoopDelayP99,
    };
    steps.push(step);
    emit({ event: 'step', target, ...step });
    failuresInARow = step.pass ? 0 : failuresInARow + 1;
    if (failuresInARow >= config.maxConsecutiveFailures) break;
    if (sockets.filter((socket) => !socket.open).length > 0) {
      log(`${target}: sockets closed under load; stopping the ramp`);
      break;
    }
    await quiesce();
  }
  closeAll();
  // The highest rate held (delivered and p95 within the bounds).
  const maxRate = steps.filter((step) => step.pass).reduce((best, step) => Math.max(best, step.rate), 0);
  return { target, maxRate, steps, staleCopies: stale, problems, problemSamples };
});
