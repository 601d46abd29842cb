/**
 * One Lighthouse 12 run (default config: mobile form factor, simulated
 * throttling with a 4× CPU slowdown) in a Chromium of its own, reduced to
 * the figures the client-weight benchmark reports. The full report goes to
 * `<reportDir>/<reportName>.json` (open it in
 * https://googlechrome.github.io/lighthouse/viewer/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { MainThreadTasks } from 'lighthouse/core/lib/tracehouse/main-thread-tasks.js';
import { TraceProcessor } from 'lighthouse/core/lib/tracehouse/trace-processor.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/chromium.js';

/** Lighthouse drives Chromium through chrome-launcher, which wants the headless flag spelled out. */
export const CHROME_FLAGS = ['--headless=new', ...CHROMIUM_ARGS];

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export interface LighthouseRun {
  performance: number;
  accessibility: number;
  bestPractices: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  speedIndexMs: number;
  /**
   * Main-thread work from navigation until Lighthouse stopped recording
   * (`mainthread-work-breakdown`), and the part of it attributed to scripts
   * (`bootup-time`). Under simulated throttling Lighthouse reports what it
   * observed multiplied by the CPU slowdown (4), as it does for TBT.
   */
  mainThreadMs: number;
  mainThreadByGroup: Record<string, number>;
  bootupMs: number;
  bootupByUrl: { url: string; totalMs: number; scriptingMs: number; parseCompileMs: number }[];
  /**
   * The same tasks' CPU time as the trace records it (thread time, not wall
   * time), as observed, not multiplied: a task whose thread waits for a core
   * (two cores shared with the server, PostgreSQL and the browser's other
   * processes) lasts longer but costs no more CPU, so this moves less with
   * the host's load than mainThreadMs does.
   */
  mainThreadCpuMs: number;
  /** Main-thread tasks of 50 ms or more (Lighthouse's `long-tasks`, simulated durations). */
  longTasks: number;
  longTaskMaxMs: number;
  longTaskList: { url: string; durationMs: number; startMs: number }[];
  /**
   * Lighthouse's measure of this machine's speed while it ran, and the
   * 1-minute load average after: simulated throttling multiplies the main
   * thread work it observes, so a busy machine (other benchmarks, tests)
   * shows up as higher TBT and a lower performance score.
   */
  benchmarkIndex: number;
  loadAverage: number;
  /** Failed audits (score < 1) of the three categories, for diagnosis. */
  failing: string[];
}

/** The page's origin is dropped from URLs, so reports of two servers on different ports compare. */
function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol.startsWith('http') ? parsed.pathname : url;
  } catch {
    return url;
  }
}

type Register = (name: string, run: () => Promise<void>) => void;

export async function runLighthouse(url: string, reportDir: string, reportName: string, onCleanup: Register): Promise<LighthouseRun> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROME_FLAGS, logLevel: 'silent' });
  const stop = async () => {
    try {
      chrome.kill();
    } catch {
      // already gone
    }
  };
  onCleanup(`stop Lighthouse's Chromium (pid ${chrome.pid})`, stop);
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    });
    if (!result) throw new Error('Lighthouse returned nothing');
    const { lhr } = result;
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(path.join(reportDir, `${reportName}.json`), typeof result.report === 'string' ? result.report : JSON.stringify(lhr));
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
    const value = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
    const items = (id: string) => ((lhr.audits[id]?.details as { items?: Record<string, unknown>[] } | undefined)?.items ?? []) as Record<string, any>[];
    const failing: string[] = [];
    for (const id of ['performance', 'accessibility', 'best-practices']) {
      for (const ref of lhr.categories[id]?.auditRefs ?? []) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) failing.push(`${id}:${ref.id}=${round(audit.score, 2)}`);
      }
    }
    const mainThreadCpuMs = mainThreadCpu(result.artifacts.Trace);
    const mainThreadByGroup: Record<string, number> = {};
    for (const item of items('mainthread-work-breakdown')) mainThreadByGroup[item.group] = Math.round(item.duration);
    const longTaskList = items('long-tasks').map((t) => ({ url: shortUrl(String(t.url)), durationMs: Math.round(t.duration), startMs: Math.round(t.startTime) }));
    return {
      performance: score('performance'),
      accessibility: score('accessibility'),
      bestPractices: score('best-practices'),
      fcpMs: Math.round(value('first-contentful-paint')),
      lcpMs: Math.round(value('largest-contentful-paint')),
      tbtMs: Math.round(value('total-blocking-time')),
      cls: round(value('cumulative-layout-shift'), 3),
      speedIndexMs: Math.round(value('speed-index')),
      mainThreadMs: Math.round(value('mainthread-work-breakdown')),
      mainThreadByGroup,
      mainThreadCpuMs,
      bootupMs: Math.round(value('bootup-time')),
      bootupByUrl: items('bootup-time').map((i) => ({
        url: shortUrl(String(i.url)),
        totalMs: Math.round(i.total),
        scriptingMs: Math.round(i.scripting),
        parseCompileMs: Math.round(i.scriptParseCompile),
      })),
      longTasks: longTaskList.length,
      longTaskMaxMs: Math.max(0, ...longTaskList.map((t) => t.durationMs)),
      longTaskList,
      benchmarkIndex: Math.round(lhr.environment?.benchmarkIndex ?? Number.NaN),
      loadAverage: round(os.loadavg()[0], 2),
      failing,
    };
  } finally {
    await stop();
  }
}

/** Thread time of the page's top-level main-thread tasks in Lighthouse's trace, as Lighthouse delimits them. */
function mainThreadCpu(trace: Parameters<typeof TraceProcessor.processTrace>[0]): number {
  const processed = TraceProcessor.processTrace(trace);
  const { traceEnd, timeOrigin } = processed.timestamps;
  const tasks = MainThreadTasks.getMainThreadTasks(processed.mainThreadEvents, processed.frames, traceEnd, timeOrigin);
  let microseconds = 0;
  for (const task of tasks) {
    // tdur: the thread's CPU time (not in Lighthouse's type for trace events).
    const event = task.event as { tdur?: number; dur?: number };
    if (!task.parent) microseconds += event.tdur ?? event.dur ?? 0;
  }
  return Math.round(microseconds / 1000);
}

/**
 * Lighthouse itself sometimes fails to record a page load (NO_NAVSTART,
 * NO_FCP on a trace it lost): such a run measured nothing, so it is run
 * again, up to LIGHTHOUSE_ATTEMPTS times. A page that really fails to load
 * fails every attempt.
 */
const LIGHTHOUSE_ATTEMPTS = 3;

export async function runLighthouseRetrying(
  url: string,
  reportDir: string,
  reportName: string,
  onCleanup: Register,
  say: (message: string) => void,
): Promise<LighthouseRun> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runLighthouse(url, reportDir, reportName, onCleanup);
    } catch (error) {
      if (attempt >= LIGHTHOUSE_ATTEMPTS || !/^Lighthouse: /.test((error as Error).message)) throw error;
      say(`  ${(error as Error).message}; attempt ${attempt + 1}/${LIGHTHOUSE_ATTEMPTS}`);
    }
  }
}

/** One line of a run for the progress log. */
export function describeRun(run: LighthouseRun): string {
  return (
    `performance ${run.performance}, accessibility ${run.accessibility}, best-practices ${run.bestPractices}; ` +
    `FCP ${run.fcpMs} ms, LCP ${run.lcpMs} ms, TBT ${run.tbtMs} ms, CLS ${run.cls}; main thread ${run.mainThreadMs} ms ` +
    `(bootup ${run.bootupMs} ms; CPU ${run.mainThreadCpuMs} ms observed), ${run.longTasks} long tasks (max ${run.longTaskMaxMs} ms); benchmarkIndex ${run.benchmarkIndex}, load ${run.loadAverage}` +
    (run.failing.length > 0 ? `; not perfect: ${run.failing.join(', ')}` : '')
  );
}
