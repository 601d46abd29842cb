/**
 * Capacity load generator: opens idle sockets to one server in steps (e.g.
 * 1,000 … 10,000), from many loopback source addresses so the per-address
 * caps (Whisper: 200 sockets, connect burst 200 at 20/s) are respected, and
 * after each step, once things settle, reads the server's VmRSS from
 * /proc/<pid>/status. Memory per socket = (RSS now − RSS before the first
 * socket) / sockets. Stops at the last step, at the RSS limit, or at the
 * first connection that fails (and says why).
 */
import { readFileSync } from 'node:fs';
import { connectBenchSocket, type BenchSocket, type Target } from '../lib/clients.js';
import { emit, loadConfig, log, mapLimit, processRssBytes, runLoadGenerator, sleep } from '../lib/loadgen.js';
import { addressFor } from '../lib/loopback.js';

interface CapacityConfig {
  target: Target;
  url: string;
  addresses: string[];
  perAddress: number;
  steps: number[];
  settleMs: number;
  rssLimitBytes: number;
  connectConcurrency: number;
  serverPid: number;
}

/** The soft "Max open files" limit of a process: each socket is one descriptor on each side. */
function openFilesLimit(pid: number | 'self'): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

runLoadGenerator(async () => {
  const config = loadConfig<CapacityConfig>();
  const sockets: BenchSocket[] = [];
  let problems = 0;
  const problemSamples: string[] = [];
  const onProblem = (what: string) => {
    problems++;
    if (problemSamples.length < 5) problemSamples.push(what);
  };
  const rss = () => {
    const bytes = processRssBytes(config.serverPid);
    if (bytes === null) throw new Error(`server process ${config.serverPid} is gone`);
    return bytes;
  };
  await sleep(config.settleMs);
  const baseRssBytes = rss();
  log(`${config.target}: RSS before any socket ${(baseRssBytes / 2 ** 20).toFixed(1)} MiB`);
  const steps: Record<string, unknown>[] = [];
  let stoppedBecause = 'reached the last step';
  for (const target of config.steps) {
    const from = sockets.length;
    const started = performance.now();
    const failures: string[] = [];
    await mapLimit(Array.from({ length: target - from }, (_, k) => from + k), config.connectConcurrency, async (index) => {
      if (failures.length > 0) return;
      try {
        sockets.push(await connectBenchSocket(config.target, config.url, addressFor(config.addresses, index, config.perAddress), { onProblem }));
      } catch (error) {
        failures.push((error as Error).message);
      }
    });
    const connectSeconds = (performance.now() - started) / 1000;
    await sleep(config.settleMs);
    const rssBytes = rss();
    const open = sockets.filter((socket) => socket.open).length;
    const step = {
      sockets: sockets.length,
      open,
      rssBytes,
      perSocketBytes: sockets.length > 0 ? Math.round((rssBytes - baseRssBytes) / sockets.length) : null,
      connectsPerSecond: Math.round((sockets.length - from) / connectSeconds),
      failures: failures.length,
      firstFailure: failures[0] ?? null,
    };
    steps.push(step);
    emit({ event: 'step', target: config.target, ...step });
    if (failures.length > 0) {
      stoppedBecause = `connect failed: ${failures[0]}`;
      break;
    }
    if (open < sockets.length) {
      stoppedBecause = `${sockets.length - open} sockets closed by the server`;
      break;
    }
    if (rssBytes > config.rssLimitBytes) {
      stoppedBecause = `RSS over ${config.rssLimitBytes / 2 ** 20} MiB`;
      break;
    }
  }
  const last = steps[steps.length - 1] as { sockets: number; open: number; rssBytes: number; perSocketBytes: number | null } | undefined;
  for (const socket of sockets) socket.close();
  const held = last && last.rssBytes <= config.rssLimitBytes ? last.open : 0;
  const perSocketBytes = last?.perSocketBytes ?? null;
  const projectedWithinLimit = perSocketBytes && perSocketBytes > 0 ? Math.floor((config.rssLimitBytes - baseRssBytes) / perSocketBytes) : null;
  return {
    target: config.target,
    baseRssBytes,
    held,
    perSocketBytes,
    projectedWithinLimit,
    stoppedBecause,
    serverOpenFilesLimit: openFilesLimit(config.serverPid),
    loadgenOpenFilesLimit: openFilesLimit('self'),
    steps,
    problems,
    problemSamples,
  };
});
