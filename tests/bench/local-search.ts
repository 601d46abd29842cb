/**
 * Local search benchmark (Q2): the client's device search
 * (client/src/features/search/local-search.ts) over 50,000 cached messages,
 * in Node with the same matching code the dialog runs on the messages it
 * reads from IndexedDB.
 *
 *   node --import tsx tests/bench/local-search.ts [--messages=50000]
 *
 * Prints the time to prepare the corpus (once per opening of the dialog)
 * and, per query, the median and worst of 10 runs, then one `RESULT {json}`
 * line. The messages are made here: words drawn from a fixed vocabulary
 * with a seeded generator (some with accents), 20 rooms, 1 in 50 deleted.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { CachedMessage } from '../../client/src/shared/db/whisper-db';
import { localCorpus } from '../../client/src/features/search/local-search';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '50000' } } });
const COUNT = Number(values.messages);
const RUNS = 10;
const ROOM_COUNT = 20;

const VOCABULARY = (
  'the a to and of in is it you that for on was with be at this have are not but can we they what so just about like ' +
  'meeting lunch deploy release review café résumé naïve plan budget design launch sprint ticket bug fix server client ' +
  'offline online search index message room group photo voice note tomorrow today monday friday coffee déjà vu'
).split(' ');

/** mulberry32: the same messages on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(17);
const messages: CachedMessage[] = Array.from({ length: COUNT }, (_, i) => {
  const words = Array.from({ length: 4 + Math.floor(next() * 20) }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]);
  const deleted = next() < 0.02;
  return {
    id: `m${i}`,
    seq: i + 1,
    room_id: `room-${i % ROOM_COUNT}`,
    user_id: 'u1',
    client_id: null,
    content: deleted ? '' : words.join(' '),
    created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    ...(deleted ? { deleted: true as const } : {}),
  } as CachedMessage;
});
const rooms = new Set(Array.from({ length: ROOM_COUNT - 2 }, (_, i) => `room-${i}`));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => Math.round(x * 10) / 10;

const buildTimes: number[] = [];
let corpus = localCorpus(messages, rooms);
for (let i = 0; i < 3; i++) {
  const start = performance.now();
  corpus = localCorpus(messages, rooms);
  buildTimes.push(performance.now() - start);
}
console.error(`[local-search] ${COUNT} messages, ${corpus.size} searchable; prepare: median ${ms(median(buildTimes))} ms`);

const QUERIES = ['cafe', 'meet', 'deploy friday', '"release review"', 'lunch -coffee', 'zzz', 'x', 'the'];
const queries: Record<string, { medianMs: number; maxMs: number; hits: number }> = {};
for (const query of QUERIES) {
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    hits = corpus.search(query).data.length;
    times.push(performance.now() - start);
  }
  queries[query] = { medianMs: ms(median(times)), maxMs: ms(Math.max(...times)), hits };
  console.error(`[local-search]   ${JSON.stringify(query)}: median ${ms(median(times))} ms, worst ${ms(Math.max(...times))} ms, first page ${hits} hits`);
}
console.log(`RESULT ${JSON.stringify({ messages: COUNT, searchable: corpus.size, prepareMedianMs: ms(median(buildTimes)), queries })}`);
