/**
 * Where start-up's main-thread time goes: one page load in Chromium with
 * the CPU throttled 4× (as Lighthouse's simulation assumes), recorded two
 * ways at once:
 *
 * - a trace (devtools.timeline), reduced to the renderer's top-level tasks
 *   of 5 ms or more, each with its largest parts (script evaluation, a timer,
 *   an event, style and layout, garbage collection …), in time order;
 * - a V8 CPU profile, reduced to self time per source module. Minified code
 *   can only be attributed per file; a build made with `--minify false`
 *   keeps Rolldown's `// node_modules/<pkg>/…` and `// client/src/…` marker
 *   lines, which give each sample its module (parsing and compiling the
 *   unminified code costs a little more, executing it the same):
 *
 *     npx vite build --minify false --outDir /tmp/whisper-unminified   # ends with a
 *       # workbox error (the worker's manifest placeholder appears twice
 *       # unminified) after writing the app's files: the page runs without a worker
 *     CLIENT_DIST=/tmp/whisper-unminified node --import tsx tests/bench/client-weight.ts --only-startup --startup-profile
 *
 * Both files go to the report directory for DevTools (Performance panel:
 * load the trace; the .cpuprofile opens in the JavaScript profiler).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';

const THROTTLE = 4;
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'loading'];

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: Record<string, any>; name?: string; [key: string]: unknown };
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface StartupProfile {
  /** Sum of the renderer main thread's top-level tasks, unthrottled equivalent = this / 4. */
  mainThreadMs: number;
  tasks: { atMs: number; ms: number; parts: string }[];
  selfMsByModule: [string, number][];
}

/** What a trace event is, in a few words: the script, timer or event behind it. */
function label(e: TraceEvent): string {
  const d = e.args?.data ?? {};
  const file = (url?: string) => (url ? url.replace(/^https?:\/\/[^/]+/, '') : '');
  switch (e.name) {
    case 'EvaluateScript':
    case 'v8.compile':
    case 'v8.compileModule':
    case 'v8.evaluateModule':
      return `${e.name} ${file(d.url ?? (e.args as any)?.fileName)}`;
    case 'FunctionCall':
      return `FunctionCall ${d.functionName || '(anonymous)'} ${file(d.url)}:${d.lineNumber ?? ''}`;
    case 'EventDispatch':
      return `Event ${d.type}`;
    case 'TimerFire':
      return 'TimerFire';
    case 'FireAnimationFrame':
      return 'requestAnimationFrame';
    case 'FireIdleCallback':
      return 'requestIdleCallback';
    case 'ParseHTML':
      return 'ParseHTML';
    case 'ResourceReceiveResponse':
    case 'ResourceFinish':
      return `${e.name} ${file(d.url)}`;
    default:
      return e.name;
  }
}

/** Module of a line in an unminified Rolldown bundle: the last marker line at or before it. */
function moduleIndex(source: string): { lines: number[]; names: string[] } {
  const lines: number[] = [];
  const names: string[] = [];
  source.split('\n').forEach((text, i) => {
    const m = /^\/\/ (node_modules\/((?:@[^/]+\/)?[^/]+)\/.*|client\/src\/\S+|server\/\S+|\\0\S+)$/.exec(text);
    if (m) {
      lines.push(i);
      // A package as a whole; the app's own code per module.
      names.push(m[2] ?? m[1]);
    }
  });
  return { lines, names };
}

export async function profileStartup(browser: Browser, url: string, distDir: string, outFile: string): Promise<StartupProfile> {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (message) => {
    events.push(...(message.value as unknown as TraceEvent[]));
  });
  const traced = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES }, transferMode: 'ReportEvents' });
  await cdp.send('Profiler.start');
  await page.goto(url, { waitUntil: 'networkidle' });
  // Start-up is over when the page has an idle moment (the first one after
  // the network went quiet), not at a fixed time.
  await page.evaluate(() => new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 10_000 })));
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
  await cdp.send('Tracing.end');
  await traced;
  await context.close();
  writeFileSync(`${outFile}.cpuprofile`, JSON.stringify(profile));
  writeFileSync(`${outFile}.trace.json`, JSON.stringify({ traceEvents: events }));

  // The page's renderer main thread: where the page's own HTML was parsed
  // (the navigation from about:blank may move the page to another renderer).
  const origin = new URL(url).origin;
  const parse = events.find((e) => e.name === 'ParseHTML' && String((e.args as any)?.beginData?.url ?? '').startsWith(origin));
  const main = events.filter((e) => parse && e.pid === parse.pid && e.tid === parse.tid && e.ph === 'X');
  const navStart = events.find((e) => e.name === 'navigationStart' && parse && e.pid === parse.pid)?.ts ?? main[0]?.ts ?? 0;
  const top = main.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts);
  const tasks: StartupProfile['tasks'] = [];
  let mainThreadUs = 0;
  for (const task of top) {
    const dur = task.dur ?? 0;
    mainThreadUs += dur;
    if (dur < 5000) continue;
    const inside = main.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + dur && (e.dur ?? 0) >= 1000 && e.name !== 'RunTask');
    const parts = inside
      .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))
      .slice(0, 4)
      .map((e) => `${label(e)} ${((e.dur ?? 0) / 1000).toFixed(0)}`)
      .join('; ');
    tasks.push({ atMs: Math.round((task.ts - navStart) / 1000), ms: Math.round(dur / 1000), parts });
  }

  const scripts = new Map<string, ReturnType<typeof moduleIndex> | null>();
  const moduleOf = (node: ProfileNode): string => {
    const { url: scriptUrl, lineNumber, functionName } = node.callFrame;
    if (!scriptUrl) return functionName || '(native)';
    const pathname = scriptUrl.replace(/^https?:\/\/[^/]+/, '');
    if (!scripts.has(pathname)) {
      let index: ReturnType<typeof moduleIndex> | null = null;
      try {
        index = moduleIndex(readFileSync(path.join(distDir, pathname.replace(/^\//, '')), 'utf8'));
      } catch {
        index = null;
      }
      scripts.set(pathname, index && index.lines.length > 0 ? index : null);
    }
    const index = scripts.get(pathname);
    if (!index) return pathname;
    let found = -1;
    for (let i = 0; i < index.lines.length && index.lines[i] <= lineNumber; i++) found = i;
    return found >= 0 ? index.names[found] : pathname;
  };
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byModule = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const name = moduleOf(node);
    byModule.set(name, (byModule.get(name) ?? 0) + ms);
  }
  const selfMsByModule = [...byModule]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([name, ms]) => [name, Math.round(ms)] as [string, number]);
  return { mainThreadMs: Math.round(mainThreadUs / 1000), tasks, selfMsByModule };
}

export function describeProfile(name: string, p: StartupProfile): string[] {
  return [
    `${name}: renderer main thread ${p.mainThreadMs} ms in top-level tasks (CPU ${THROTTLE}× throttled)`,
    '  tasks ≥ 5 ms (ms after navigation start, duration, largest parts in ms):',
    ...p.tasks.map((t) => `    @${t.atMs} ${t.ms} ms: ${t.parts}`),
    '  CPU profile self time by module (ms):',
    ...p.selfMsByModule.map(([module, ms]) => `    ${String(ms).padStart(6)}  ${module}`),
  ];
}
