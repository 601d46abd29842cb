/**
 * Start-up against a floor: Whisper's empty room next to a minimal React 19
 * + Vite page (tests/bench/floor/), both under Lighthouse with the same
 * settings, taking turns, so both see the same machine at the same moment.
 *
 * The floor is built here with Vite's JS API (React plugin, production
 * mode, and the same brotli/gzip copies as Whisper's build) and served by a
 * second instance of Whisper's own server (CLIENT_DIR pointing at it): same
 * static plugin, compression, cache and security headers, so the only
 * difference between the two pages is the page.
 *
 * Used by client-weight.ts (`--only-startup` runs just this part).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { precompress } from '../../vite.config.js';
import { describeRun, runLighthouseRetrying, type LighthouseRun } from './lib/lighthouse.js';

const FLOOR_DIR = fileURLToPath(new URL('./floor/', import.meta.url));

const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Builds the floor page into `outDir`; returns its initial JavaScript, measured as client-weight measures Whisper's. */
export async function buildFloor(outDir: string): Promise<{ initialJsGzipKB: number; initialJsRawBytes: number }> {
  await build({
    root: FLOOR_DIR,
    configFile: false,
    envDir: false,
    publicDir: path.join(FLOOR_DIR, 'public'),
    logLevel: 'warn',
    mode: 'production',
    plugins: [react(), precompress()],
    build: { outDir, emptyOutDir: true },
  });
  const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  let gzip = 0;
  let raw = 0;
  for (const file of new Set(files)) {
    const data = readFileSync(path.join(outDir, file));
    raw += data.length;
    gzip += gzipSync(data, { level: 9 }).length;
  }
  return { initialJsGzipKB: Math.round(gzip / 100) / 10, initialJsRawBytes: raw };
}

/** The figures compared; medians over the runs, each figure on its own. */
const FIGURES = ['performance', 'tbtMs', 'mainThreadMs', 'mainThreadCpuMs', 'bootupMs', 'longTasks', 'longTaskMaxMs', 'fcpMs', 'lcpMs', 'speedIndexMs', 'benchmarkIndex'] as const;
type Figure = (typeof FIGURES)[number];

export interface StartupSide {
  /** Median of each figure over the runs. */
  median: Record<Figure, number> & { mainThreadByGroup: Record<string, number> };
  /** Every run's value of each figure, in run order. */
  runs: Record<Figure, number[]>;
  /** Long tasks of the run with the median main-thread work, for diagnosis. */
  longTaskList: LighthouseRun['longTaskList'];
  bootupByUrl: LighthouseRun['bootupByUrl'];
  failing: string[];
}

export interface StartupComparison {
  rounds: number;
  whisper: StartupSide;
  floor: StartupSide;
  /** Whisper / floor main-thread work: the median of each round's ratio, and each round's. */
  mainThreadRatio: number;
  mainThreadRatios: number[];
  /** The same for the tasks' CPU time (thread time), which a busy host inflates less. */
  mainThreadCpuRatio: number;
  mainThreadCpuRatios: number[];
  /** The goal: Whisper's start-up main-thread work within 2× the floor's. */
  mainThreadTarget: number;
  mainThreadTargetMet: boolean;
  /** Whisper's run with the median performance score, in the shape of the other Lighthouse results. */
  whisperMedianRun: LighthouseRun & { runs: number; performanceRuns: number[]; tbtRuns: number[] };
}

function summarise(runs: LighthouseRun[]): StartupSide {
  const byFigure = Object.fromEntries(FIGURES.map((f) => [f, runs.map((r) => r[f])])) as Record<Figure, number[]>;
  const groups = new Set(runs.flatMap((r) => Object.keys(r.mainThreadByGroup)));
  const mainThreadByGroup = Object.fromEntries([...groups].map((g) => [g, Math.round(median(runs.map((r) => r.mainThreadByGroup[g] ?? 0)))]));
  const medianRun = [...runs].sort((a, b) => a.mainThreadMs - b.mainThreadMs)[Math.floor((runs.length - 1) / 2)];
  return {
    median: { ...(Object.fromEntries(FIGURES.map((f) => [f, Math.round(median(byFigure[f]))])) as Record<Figure, number>), mainThreadByGroup },
    runs: byFigure,
    longTaskList: medianRun.longTaskList,
    bootupByUrl: medianRun.bootupByUrl,
    failing: [...new Set(runs.flatMap((r) => r.failing))],
  };
}

type Register = (name: string, run: () => Promise<void>) => void;

/**
 * `rounds` rounds of one Lighthouse run of each page. The order alternates
 * (floor first in odd rounds, Whisper first in even ones), so neither page
 * always runs right after the other's Chromium exits.
 */
export async function compareStartup(options: {
  whisperUrl: string;
  floorUrl: string;
  rounds: number;
  reportDir: string;
  onCleanup: Register;
  say: (message: string) => void;
}): Promise<StartupComparison> {
  const { whisperUrl, floorUrl, rounds, reportDir, onCleanup, say } = options;
  const whisper: LighthouseRun[] = [];
  const floor: LighthouseRun[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round1 = 1; round1 <= rounds; round1++) {
    const order = round1 % 2 === 1 ? (['floor', 'whisper'] as const) : (['whisper', 'floor'] as const);
    const got: Partial<Record<'floor' | 'whisper', LighthouseRun>> = {};
    for (const page of order) {
      say(`start-up round ${round1}/${rounds}: ${page}`);
      const run = await runLighthouseRetrying(page === 'floor' ? floorUrl : whisperUrl, reportDir, `startup-${page}-${round1}`, onCleanup, say);
      say(`  ${describeRun(run)}`);
      got[page] = run;
    }
    whisper.push(got.whisper!);
    floor.push(got.floor!);
    ratios.push(round(got.whisper!.mainThreadMs / got.floor!.mainThreadMs));
    cpuRatios.push(round(got.whisper!.mainThreadCpuMs / got.floor!.mainThreadCpuMs));
  }
  const mainThreadRatio = round(median(ratios));
  const byPerformance = [...whisper].sort((a, b) => a.performance - b.performance);
  const chosen = byPerformance[Math.floor((byPerformance.length - 1) / 2)];
  return {
    rounds,
    whisper: summarise(whisper),
    floor: summarise(floor),
    mainThreadRatio,
    mainThreadRatios: ratios,
    mainThreadCpuRatio: round(median(cpuRatios)),
    mainThreadCpuRatios: cpuRatios,
    mainThreadTarget: 2,
    mainThreadTargetMet: mainThreadRatio <= 2,
    whisperMedianRun: { ...chosen, runs: whisper.length, performanceRuns: whisper.map((r) => r.performance), tbtRuns: whisper.map((r) => r.tbtMs) },
  };
}

/** The comparison as a few lines for the progress log. */
export function describeComparison(c: StartupComparison): string[] {
  const line = (name: string, s: StartupSide) =>
    `  ${name.padEnd(8)} performance ${s.median.performance} (${s.runs.performance.join(', ')}), TBT ${s.median.tbtMs} ms, ` +
    `main thread ${s.median.mainThreadMs} ms (${s.runs.mainThreadMs.join(', ')}), bootup ${s.median.bootupMs} ms, ` +
    `long tasks ${s.median.longTasks} (max ${s.median.longTaskMaxMs} ms), FCP ${s.median.fcpMs} ms, LCP ${s.median.lcpMs} ms`;
  return [
    `start-up, medians of ${c.rounds} rounds:`,
    line('Whisper', c.whisper),
    line('floor', c.floor),
    `  main-thread work Whisper / floor: ${c.mainThreadRatio}× (rounds ${c.mainThreadRatios.join(', ')}; target ≤ ${c.mainThreadTarget}×: ${c.mainThreadTargetMet ? 'met' : 'not met'})`,
    `  main-thread CPU time (observed) Whisper ${c.whisper.median.mainThreadCpuMs} ms, floor ${c.floor.median.mainThreadCpuMs} ms: ${c.mainThreadCpuRatio}× (rounds ${c.mainThreadCpuRatios.join(', ')})`,
  ];
}
