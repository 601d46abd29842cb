import { describe, expect, it } from 'vitest';
import type { CachedMessage } from '../../shared/db/whisper-db';
import { localCorpus } from './local-search';

/**
 * Q2: what searching the device costs with 50,000 cached messages, the
 * figures behind plain scanning (see local-search.ts). Printed for the
 * record; the bounds are loose (a loaded 2-core CI box), there to catch a
 * change that makes it an order of magnitude slower. The messages are made
 * here: words from a fixed vocabulary (some with accents) drawn by a seeded
 * generator, 20 rooms (2 of them left), 1 in 50 deleted.
 */

const COUNT = 50_000;
const ROOM_COUNT = 20;
const RUNS = 10;
/** Preparing (once per opening of the dialog) and a search that reads every message. */
const PREPARE_BOUND_MS = 500;
const FULL_SCAN_BOUND_MS = 1_500;

const VOCABULARY = (
  'the a to and of in is it you that for on was with be at this have are not but can we they what so just about like ' +
  'meeting lunch deploy release review café résumé naïve plan budget design launch sprint ticket bug fix server client ' +
  'offline online search index message room group photo voice note tomorrow today monday friday coffee déjà vu'
).split(' ');

/** mulberry32: the same messages on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function messages(): CachedMessage[] {
  const next = seeded(17);
  return Array.from({ length: COUNT }, (_, i) => {
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
}

const time = (run: () => void) => {
  const start = performance.now();
  run();
  return performance.now() - start;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (ms: number) => Math.round(ms * 10) / 10;

describe('searching 50,000 messages on the device', () => {
  it('[Q2] prepares them and searches them fast enough for search as you type', () => {
    const all = messages();
    const rooms = new Set(Array.from({ length: ROOM_COUNT - 2 }, (_, i) => `room-${i}`));
    let corpus = localCorpus(all, rooms);
    const prepareMs = time(() => (corpus = localCorpus(all, rooms)));
    // Nothing matches: every message is read, folded the first time.
    const firstFullScanMs = time(() => expect(corpus.search('zzz').data).toEqual([]));
    const figures: Record<string, { medianMs: number; hits: number }> = {};
    for (const query of ['cafe', 'deploy friday', '"release review"', 'lunch -coffee', 'zzz']) {
      const times: number[] = [];
      let hits = 0;
      for (let i = 0; i < RUNS; i++) times.push(time(() => (hits = corpus.search(query).data.length)));
      figures[query] = { medianMs: round(median(times)), hits };
    }
    console.info(`local search, ${COUNT} messages (${corpus.size} searchable): prepare ${round(prepareMs)} ms, first full scan ${round(firstFullScanMs)} ms, then ${JSON.stringify(figures)}`);
    expect(corpus.size).toBeGreaterThan(COUNT * 0.85);
    expect(figures.cafe.hits).toBeGreaterThan(0);
    expect(prepareMs).toBeLessThan(PREPARE_BOUND_MS);
    expect(firstFullScanMs).toBeLessThan(FULL_SCAN_BOUND_MS);
  });
});
