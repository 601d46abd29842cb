/**
 * Ingest load generator against Whisper: `senders` sockets, each keeping
 * `window` sends in flight (one message per frame, random content), all to
 * one room that no socket listens to, so the figure is storage and acks
 * alone. An ack (P3) arrives only after COMMIT, so every counted message is
 * durable (fsync on). Acks that arrive during the measured `durationMs`
 * (after `warmupMs`) are counted; ack latency is send → ack on the same socket.
 */
import { connectBenchSocket, type BenchSocket } from '../lib/clients.js';
import { LatencyHistogram } from '../lib/histogram.js';
import { emit, loadConfig, log, mapLimit, measureWindow, randomText, runLoadGenerator, sleep } from '../lib/loadgen.js';
import { addressFor } from '../lib/loopback.js';

interface IngestConfig {
  url: string;
  addresses: string[];
  perAddress: number;
  senders: number;
  window: number;
  warmupMs: number;
  durationMs: number;
  contentBytes: [number, number];
  roomId: string;
  connectConcurrency: number;
  serverPid?: number;
  databaseUrl?: string;
}

const FINAL_ACK_WAIT_MS = 15_000;

runLoadGenerator(async () => {
  const config = loadConfig<IngestConfig>();
  let measuring = false;
  let sending = true;
  let ackedInWindow = 0;
  let ackedTotal = 0;
  let sentTotal = 0;
  let problems = 0;
  const problemSamples: string[] = [];
  const histogram = new LatencyHistogram();
  const [minBytes, maxBytes] = config.contentBytes;
  // Random content drawn from a pool (making fresh random text per message
  // would cost the load generator more CPU than the server spends on it).
  const contents = Array.from({ length: 4096 }, () => randomText(minBytes + Math.floor(Math.random() * (maxBytes - minBytes + 1))));

  interface Sender {
    socket: BenchSocket;
    inFlight: number;
    sentAt: number[];
    head: number;
  }
  const senders: Sender[] = [];
  let counter = 0;
  const topUp = (sender: Sender) => {
    while (sending && sender.inFlight < config.window && sender.socket.open) {
      sender.socket.send(`i${(counter++).toString(36)}`, contents[counter & 4095], config.roomId);
      sender.sentAt.push(performance.now());
      sender.inFlight++;
      sentTotal++;
    }
    // Keep the array from growing without end.
    if (sender.head > 4096) {
      sender.sentAt = sender.sentAt.slice(sender.head);
      sender.head = 0;
    }
  };

  log(`connecting ${config.senders} senders`);
  await mapLimit(Array.from({ length: config.senders }, (_, i) => i), config.connectConcurrency, async (i) => {
    const sender: Sender = { socket: undefined as unknown as BenchSocket, inFlight: 0, sentAt: [], head: 0 };
    sender.socket = await connectBenchSocket('whisper', config.url, addressFor(config.addresses, i, config.perAddress), {
      onAck: (count, now) => {
        for (let k = 0; k < count; k++) {
          const sentAt = sender.sentAt[sender.head++];
          if (measuring) histogram.add(now - sentAt);
        }
        sender.inFlight -= count;
        ackedTotal += count;
        if (measuring) ackedInWindow += count;
        topUp(sender);
      },
      onProblem: (what) => {
        problems++;
        if (problemSamples.length < 5) problemSamples.push(what);
      },
    });
    senders.push(sender);
  });

  log(`sending: ${config.warmupMs} ms warm-up, then ${config.durationMs} ms measured`);
  for (const sender of senders) topUp(sender);
  const { seconds, usage } = await measureWindow(config, (on) => (measuring = on));
  sending = false;
  const deadline = performance.now() + FINAL_ACK_WAIT_MS;
  while (senders.some((sender) => sender.inFlight > 0) && performance.now() < deadline) await sleep(20);
  const unacked = senders.reduce((sum, sender) => sum + sender.inFlight, 0);
  for (const sender of senders) sender.socket.close();
  const ackedPerSecond = Math.round(ackedInWindow / seconds);
  const latency = histogram.summary();
  emit({ event: 'step', system: 'whisper', ackedPerSecond, ...latency, ...usage });
  return { system: 'whisper', ackedPerSecond, ackedInWindow, seconds, sentTotal, ackedTotal, unacked, latency, ...usage, problems, problemSamples };
});
