/**
 * Ingest baseline: the same offered load as load/ingest.ts (`senders`
 * workers, each keeping `window` inserts in flight, random content) written
 * the plain way: one autocommitted INSERT per message through a pg.Pool of
 * `poolSize` connections into a table shaped like `messages` (LIKE messages
 * INCLUDING ALL: same columns, checks, primary key and unique indexes; seq
 * from a sequence, since there is no room lock). Same PostgreSQL, same
 * durability (synchronous_commit on, fsync on): a message counts once its
 * INSERT has returned, i.e. committed.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { monotonicFactory } from 'ulid';
import { LatencyHistogram } from '../lib/histogram.js';
import { emit, loadConfig, log, measureWindow, randomText, runLoadGenerator } from '../lib/loadgen.js';
import { assertLoopbackUrl } from '../lib/loopback.js';

interface BaselineConfig {
  databaseUrl: string;
  table: string;
  sequence: string;
  roomId: string;
  senders: number;
  window: number;
  poolSize: number;
  warmupMs: number;
  durationMs: number;
  contentBytes: [number, number];
}

runLoadGenerator(async () => {
  const config = loadConfig<BaselineConfig>();
  assertLoopbackUrl(config.databaseUrl);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize, application_name: 'whisper-bench-baseline' });
  pool.on('error', () => undefined);
  const nextId = monotonicFactory();
  const [minBytes, maxBytes] = config.contentBytes;
  const contents = Array.from({ length: 4096 }, () => randomText(minBytes + Math.floor(Math.random() * (maxBytes - minBytes + 1))));
  const sql = `INSERT INTO ${config.table} (id, room_id, seq, user_id, client_id, content)
               VALUES ($1, $2, nextval('${config.sequence}'), $3, $4, $5)`;
  let measuring = false;
  let sending = true;
  let ackedInWindow = 0;
  let ackedTotal = 0;
  let failures = 0;
  let firstFailure = '';
  let inFlight = 0;
  let counter = 0;
  const histogram = new LatencyHistogram();

  const insertOne = async (userId: string) => {
    const sentAt = performance.now();
    inFlight++;
    try {
      await pool.query(sql, [nextId(), config.roomId, userId, `b${(counter++).toString(36)}`, contents[counter & 4095]]);
      ackedTotal++;
      if (measuring) {
        ackedInWindow++;
        histogram.add(performance.now() - sentAt);
      }
    } catch (error) {
      failures++;
      if (!firstFailure) firstFailure = (error as Error).message;
    } finally {
      inFlight--;
    }
  };
  // Each worker is one "sender": `window` chains, each inserting back to back.
  const chains: Promise<void>[] = [];
  for (let worker = 0; worker < config.senders; worker++) {
    const userId = randomUUID();
    for (let slot = 0; slot < config.window; slot++) {
      chains.push(
        (async () => {
          while (sending) await insertOne(userId);
        })(),
      );
    }
  }
  log(`baseline: ${config.senders} workers × ${config.window} in flight over a pool of ${config.poolSize}`);
  const { seconds, usage } = await measureWindow(config, (on) => (measuring = on));
  sending = false;
  await Promise.all(chains);
  await pool.end();
  const ackedPerSecond = Math.round(ackedInWindow / seconds);
  const latency = histogram.summary();
  emit({ event: 'step', system: 'baseline', ackedPerSecond, ...latency, ...usage });
  return { system: 'baseline', ackedPerSecond, ackedInWindow, seconds, ackedTotal, unacked: inFlight, failures, firstFailure, latency, ...usage };
});
