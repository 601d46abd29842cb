/** Markdown for results.md and the console, from the results object run.ts writes as JSON. */
import type { MachineInfo } from './machine.js';

type Json = any;

interface Results {
  date: string;
  quick: boolean;
  machine: MachineInfo | null;
  sharedMachineNote: string;
  reproduce: string;
  settings: Json;
  targets: string[];
  benchmarks: Record<string, Json>;
}

const fmt = (value: unknown, digits = 0): string => {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return String(value);
};
const mib = (bytes: unknown) => (typeof bytes === 'number' ? fmt(bytes / 2 ** 20, 1) : '—');
const kib = (bytes: unknown) => (typeof bytes === 'number' ? fmt(bytes / 1024, 1) : '—');
const pct = (fraction: unknown, digits = 2) => (typeof fraction === 'number' ? `${fmt(fraction * 100, digits)} %` : '—');
const ratio = (value: unknown, goal: number) => (typeof value === 'number' ? `${fmt(value, 2)}× (target ≥ ${goal}×: ${value >= goal ? 'met' : 'not met'})` : '—');
/** A fan-out ratio: a value, or a lower bound when the other server held no rate at all. */
const boundedRatio = (r: Json, goal: number) => {
  if (!r) return '—';
  if (typeof r.value === 'number') return ratio(r.value, goal);
  if (typeof r.atLeast === 'number') return `> ${fmt(r.atLeast, 2)}× (the other server held no rate tried; target ≥ ${goal}×: ${r.atLeast >= goal ? 'met' : 'not met'})`;
  return '—';
};
const NAMES: Record<string, string> = { whisper: 'Whisper', bare: 'bare ws', socketio: 'Socket.IO' };

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function fanoutSection(bench: Json, settings: Json): string {
  const s = settings.fanout;
  const out: string[] = ['## 1. Fan-out', ''];
  out.push(
    `${s.listeners} listening + ${s.senders} sending sockets in one room, one message (${s.contentBytes} B content) per frame, ` +
      `${s.windowMs / 1000} s per rate (+ up to ${s.drainMs / 1000} s drain); latency = listener receive time − sender timestamp in the content (one process, one clock). ` +
      `A rate is held with ≥ ${s.passDelivered * 100} % delivered and p95 ≤ ${s.passP95Ms} ms; the ramp stops after ${s.maxConsecutiveFailures} failures in a row.`,
    '',
  );
  const rows: string[][] = [];
  const summary: string[][] = [];
  for (const [target, result] of Object.entries<Json>(bench.targets ?? {})) {
    if (result.error) {
      summary.push([NAMES[target] ?? target, 'error', result.error.split('\n')[0]]);
      continue;
    }
    summary.push([NAMES[target] ?? target, fmt(result.maxRate), result.limitedBy ?? '']);
    for (const step of result.steps ?? []) {
      rows.push([
        NAMES[target] ?? target,
        fmt(step.rate),
        fmt(step.achievedSendRate),
        pct(step.delivered, 3),
        fmt(step.p50, 1),
        fmt(step.p95, 1),
        fmt(step.p99, 1),
        step.pass ? 'held' : `**no**: ${step.why}`,
        fmt(step.serverCpuPct),
        fmt(step.postgresCpuPct),
        fmt(step.loadgenCpuPct),
        fmt(step.loadgenLoopDelayP99, 1),
        fmt(step.machineCpuPct),
      ]);
    }
  }
  out.push(table(['server', 'highest rate held (msg/s)', 'what stopped the ramp'], summary), '');
  out.push(`Whisper / bare ws: ${boundedRatio(bench.ratios?.whisperOverBare, 3)}; Whisper / Socket.IO: ${boundedRatio(bench.ratios?.whisperOverSocketIo, 3)}`, '');
  const whisperLimit: string = bench.targets?.whisper?.limitedBy ?? '';
  if (whisperLimit.startsWith('load generator') || whisperLimit.startsWith('nothing')) {
    out.push("Whisper's ramp did not end at a limit of its own (see above), so its figure and both ratios are lower bounds.", '');
  }
  out.push(
    table(
      ['server', 'offered msg/s', 'sent msg/s', 'delivered', 'p50 ms', 'p95 ms', 'p99 ms', 'held', 'server CPU %', 'its PostgreSQL backends CPU %', 'load gen CPU %', 'load gen loop delay p99 ms', 'machine CPU % (all cores)'],
      rows,
    ),
    '',
  );
  return out.join('\n');
}

function ingestSection(bench: Json, settings: Json): string {
  const s = settings.ingest;
  const out: string[] = ['## 2. Ingest', ''];
  if (bench.error && !bench.rounds?.length) return [...out, `error: ${bench.error}`, ''].join('\n');
  out.push(
    `${s.senders} senders × ${s.window} sends in flight, one message (${s.contentBytes[0]}–${s.contentBytes[1]} random characters) per send, ` +
      `${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up; durable commits (fsync on, synchronous_commit on). ` +
      'Whisper: acks (after COMMIT) over its sockets into one room nobody listens to. ' +
      `Baseline: one autocommitted INSERT per message through a pg.Pool of ${bench.baseline?.poolSize ?? '—'} connections into a table shaped like messages.`,
    '',
  );
  const row = (name: string, r: Json) =>
    r
      ? [name, fmt(r.ackedPerSecond), fmt(r.latency?.p50, 1), fmt(r.latency?.p95, 1), fmt(r.latency?.p99, 1), fmt(r.serverCpuPct), fmt(r.postgresCpuPct), fmt(r.loadgenCpuPct), fmt(r.machineCpuPct)]
      : [name, '—', '—', '—', '—', '—', '—', '—', '—'];
  const rounds: Json[] = bench.rounds ?? [];
  out.push(
    `${rounds.length} round(s), Whisper and baseline taking turns, each round on a fresh database; medians over the rounds, and the median of the rounds' side-by-side ratios.`,
    '',
    table(
      ['round', 'system', 'acked msg/s', 'ack p50 ms', 'ack p95 ms', 'ack p99 ms', 'server CPU %', 'PostgreSQL backends CPU %', 'load gen CPU %', 'machine CPU % (all cores)', 'ratio'],
      rounds.flatMap((r) => [
        [String(r.round), ...row('Whisper (group commit)', r.whisper), fmt(r.ratio, 2)],
        [String(r.round), ...row('baseline (INSERT per message)', r.baseline), ''],
      ]),
    ),
    '',
  );
  out.push(`Median acked msg/s: Whisper ${fmt(bench.whisper?.ackedPerSecond)}, baseline ${fmt(bench.baseline?.ackedPerSecond)}.`);
  out.push(`Whisper / baseline (median of rounds): ${ratio(bench.ratio, 3)}`);
  if (rounds.length > 0) {
    const stored = rounds.map((r) => `${fmt(r.whisper?.storedRows)} rows for ${fmt(r.whisper?.ackedTotal)} acks`).join('; ');
    out.push(`Rows stored for Whisper: ${stored} (every ack stored: ${bench.everyAckStored ? 'yes' : 'NO'}).`);
  }
  if (bench.error) out.push(`error: ${bench.error}`);
  out.push('');
  return out.join('\n');
}

function capacitySection(bench: Json, settings: Json): string {
  const s = settings.capacity;
  const out: string[] = ['## 3. Capacity', ''];
  out.push(
    `Idle sockets opened in steps (${s.steps.join(', ')}), ${s.perAddress} per loopback source address; server VmRSS after each step settles ${s.settleMs / 1000} s. ` +
      'Per socket = (RSS − RSS before the first socket) / sockets; "within 1 GiB" projects that to a 1 GiB RSS.',
    '',
  );
  const summary: string[][] = [];
  const rows: string[][] = [];
  for (const [target, result] of Object.entries<Json>(bench.targets ?? {})) {
    if (result.error) {
      summary.push([NAMES[target] ?? target, 'error', '—', '—', '—', '—', result.error.split('\n')[0]]);
      continue;
    }
    summary.push([
      NAMES[target] ?? target,
      fmt(result.held),
      mib(result.baseRssBytes),
      kib(result.perSocketBytes),
      fmt(result.projectedWithinLimit),
      `${fmt(result.serverOpenFilesLimit)} / ${fmt(result.loadgenOpenFilesLimit)}`,
      result.stoppedBecause,
    ]);
    for (const step of result.steps ?? []) {
      rows.push([NAMES[target] ?? target, fmt(step.sockets), fmt(step.open), mib(step.rssBytes), kib(step.perSocketBytes), fmt(step.connectsPerSecond)]);
    }
  }
  out.push(
    table(['server', 'sockets held', 'RSS before (MiB)', 'KiB per socket', 'projected within 1 GiB (memory only)', 'open-file limit server / load gen', 'ramp ended because'], summary),
    '',
    'Each socket is one file descriptor in the server and one in the load generator, so past the open-file limit (or the last step) memory is not what stops the ramp; the 1 GiB projection is memory alone.',
    '',
  );
  out.push(table(['server', 'sockets', 'open', 'RSS MiB', 'KiB per socket', 'connects/s'], rows), '');
  return out.join('\n');
}

/** Nested objects as dotted keys (two levels), arrays and deeper objects as JSON. */
function flatten(value: Json, prefix = '', depth = 0): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 2) {
    return Object.entries<Json>(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key, depth + 1));
  }
  const text = typeof value === 'object' && value !== null ? `\`${JSON.stringify(value).slice(0, 200)}\`` : typeof value === 'number' ? fmt(value, Number.isInteger(value) ? 0 : 2) : String(value);
  return [[prefix || 'value', text.replace(/\|/g, '\\|')]];
}

function externalSection(title: string, bench: Json, extra?: (result: Json) => string[]): string {
  const out: string[] = [`## ${title}`, ''];
  if (bench.skipped) return [...out, `skipped: ${bench.skipped}`, ''].join('\n');
  if (bench.error && !bench.result) return [...out, `error: ${bench.error}`, ''].join('\n');
  if (bench.error) out.push(`error: ${bench.error}`, '');
  if (extra && bench.result) out.push(...extra(bench.result));
  // What the extra table shows (or a profile's long listing) is left out of the generic one.
  const { startup: _startup, startupProfile: _profile, steady: _steady, ...rest } = bench.result ?? {};
  return [...out, table(['measure', 'value'], flatten(extra ? rest : (bench.result ?? {}))), ''].join('\n');
}

/** Whisper's start-up beside the floor page (tests/bench/startup.ts): medians of Lighthouse runs taken in turns. */
function startupTable(result: Json): string[] {
  const s = result.startup;
  if (!s?.whisper || !s?.floor) return [];
  const rows: [string, string, (side: Json) => string][] = [
    ['performance score', '', (x) => `${fmt(x.median.performance)} (${x.runs.performance.join(', ')})`],
    ['main-thread work (Lighthouse: observed × 4)', 'ms', (x) => `${fmt(x.median.mainThreadMs)} (${x.runs.mainThreadMs.join(', ')})`],
    ['main-thread CPU time, observed (not ×4)', 'ms', (x) => `${fmt(x.median.mainThreadCpuMs)} (${(x.runs.mainThreadCpuMs ?? []).join(', ')})`],
    ['of which script evaluation', 'ms', (x) => fmt(x.median.mainThreadByGroup?.scriptEvaluation)],
    ['of which style and layout', 'ms', (x) => fmt(x.median.mainThreadByGroup?.styleLayout)],
    ['of which other (native tasks)', 'ms', (x) => fmt(x.median.mainThreadByGroup?.other)],
    ['bootup time (scripts)', 'ms', (x) => fmt(x.median.bootupMs)],
    ['total blocking time', 'ms', (x) => `${fmt(x.median.tbtMs)} (${x.runs.tbtMs.join(', ')})`],
    ['long tasks (longest)', '', (x) => `${fmt(x.median.longTasks)} (${fmt(x.median.longTaskMaxMs)} ms)`],
    ['first contentful paint', 'ms', (x) => fmt(x.median.fcpMs)],
    ['largest contentful paint', 'ms', (x) => fmt(x.median.lcpMs)],
    ['Lighthouse benchmarkIndex', '', (x) => fmt(x.median.benchmarkIndex)],
  ];
  return [
    `### Start-up: Whisper's empty room beside a minimal React + Vite page`,
    '',
    `Lighthouse (mobile, simulated throttling: main-thread figures are 4× what was observed), ${s.rounds} rounds, the two pages taking turns; medians (every run in brackets). ` +
      `Initial JavaScript: Whisper ${fmt(result.initialJsGzipKB, 1)} kB gzip, floor ${fmt(s.floorInitialJsGzipKB, 1)} kB.`,
    '',
    table(
      ['measure', 'Whisper', 'floor'],
      rows.map(([name, unit, value]) => [unit ? `${name} (${unit})` : name, value(s.whisper), value(s.floor)]),
    ),
    '',
    `Main-thread work, Whisper / floor: ${fmt(s.mainThreadRatio, 2)}× (median of the rounds' ratios: ${s.mainThreadRatios.join(', ')}; target ≤ ${s.mainThreadTarget}×: ${s.mainThreadTargetMet ? 'met' : 'not met'}). ` +
      `In CPU time: ${fmt(s.mainThreadCpuRatio, 2)}× (${(s.mainThreadCpuRatios ?? []).join(', ')}).`,
    '',
  ];
}

/** M5 catch-up (tests/bench/multi-room-catchup.ts): one sync for every room beside one room at a time, side by side. */
function catchupTable(result: Json): string[] {
  if (!result.oneSync || !result.oneAtATime) return [];
  const rtt = result.emulatedRtt;
  const row = (name: string, r: Json) => [
    name,
    `${fmt(r.medianMs, 1)} (p95 ${fmt(r.p95Ms, 1)}, min ${fmt(r.minMs, 1)})`,
    r.roomsFrameMedianMs === null ? '—' : `${fmt(r.roomsFrameMedianMs, 1)} + ${fmt(r.afterRoomsFrameMedianMs, 1)}`,
    fmt(r.frames),
    kib(r.bytes),
    `${fmt(r.entries)} / ${fmt(r.synced)}`,
  ];
  const t = result.targets ?? {};
  return [
    `${result.rooms} groups × ${result.missedPerRoom} missed entries (${result.missedMix}); ${result.cursors} cursors. ` +
      `From sending the sync to the last room's \`synced\`; ${result.runs} runs after ${result.warmupRuns} uncounted warm-up, new missed entries each run, the two ways taking turns at going first. ` +
      `Every answer checked (exactly the missed entries of each room in seq order, one \`synced\` per room, nothing else): ${result.answersCorrect ? 'all correct' : '**WRONG ANSWERS** (see problems)'}.`,
    '',
    table(
      ['way', 'ms, median (p95, min)', 'to `rooms` frame + rest, ms', 'frames', 'KiB received', 'entries / synced'],
      [
        row('one `sync` naming every room (M5)', result.oneSync),
        row('one single-room `sync` at a time (seed way)', result.oneAtATime),
        ...(rtt ? [row(`one \`sync\`, ${rtt.rttMs} ms RTT (emulated)`, rtt.oneSync), row(`one at a time, ${rtt.rttMs} ms RTT (emulated)`, rtt.oneAtATime)] : []),
      ],
    ),
    '',
    `One round vs one at a time (median of the runs' side-by-side ratios): ${ratio(result.speedup, t.speedup ?? 0)} on loopback (ratio of the medians ${fmt(result.speedupOfMedians, 1)}×)` +
      (rtt ? `; ${ratio(rtt.speedup, t.speedupAtRtt ?? 0)} at ${rtt.rttMs} ms RTT (ratio of the medians ${fmt(rtt.speedupOfMedians, 1)}×)` : '') +
      `. One sync median ${fmt(result.oneSync.medianMs, 1)} ms (target ≤ ${fmt(t.oneSyncMedianMs)} ms: ${(result.oneSync.medianMs ?? Infinity) <= t.oneSyncMedianMs ? 'met' : 'not met'}). ` +
      `Load average ${result.loadAverage?.start?.join(' ')} at the start, ${result.loadAverage?.end?.join(' ')} at the end.`,
    '',
  ];
}

/** Issue 15 (tests/bench/live-signals.ts): frames and bytes per socket and second by frame type, while people type now and then. */
function liveTable(result: Json): string[] {
  const steady = result.steady;
  if (!steady?.received || !steady?.sent) return [];
  const rows: string[][] = [];
  const side = (direction: string, figures: Json) => {
    const row = (name: string, x: Json) => [
      `${direction} ${name}`,
      `${fmt(x.framesPerSecond.median, 2)} (p95 ${fmt(x.framesPerSecond.p95, 2)})`,
      `${fmt(x.bytesPerSecond.median)} (p95 ${fmt(x.bytesPerSecond.p95)})`,
      fmt(x.framesPerSecond.total, 1),
      fmt(x.bytesPerSecond.total),
    ];
    rows.push(row('all', figures.all));
    if (direction === 'received') rows.push(row(`live signals (${(result.target?.liveTypes ?? []).join(' + ')})`, figures.live));
    for (const [type, x] of Object.entries(figures.byType ?? {})) rows.push(row(`\`${type}\``, x as Json));
  };
  side('received', steady.received);
  side('sent', steady.sent);
  const t = result.target ?? {};
  const flap = result.flap ?? {};
  return [
    `${result.users} sockets, ${result.groups} groups of ${result.groupSize} (and \`general\`), ${steady.seconds} s counted; ${fmt((steady.typingShare?.mean ?? 0) * 100, 1)} % of users typing at a moment on average. ` +
      `Server CPU ${fmt(steady.serverCpuPct, 1)} % of a core, its PostgreSQL backends ${fmt(steady.postgresCpuPct, 1)} %, machine ${fmt(steady.machineCpuPct, 1)} %.`,
    '',
    table(['per socket', 'frames/s, median (p95)', 'payload B/s, median (p95)', 'frames/s, all sockets', 'B/s, all sockets'], rows),
    '',
    `Flapping: ${fmt(flap.reconnects)} reconnects (${fmt(flap.socketsPerRound)} sockets × ${fmt(flap.rounds)} rounds); the others received ${JSON.stringify(flap.othersReceivedPerReconnect ?? {})} per reconnect; ` +
      `presence frames per reconnect ${fmt(flap.presenceFramesPerReconnect, 2)} (${flap.presenceNote ?? ''}).`,
    '',
    `Target: live signals received ≤ ${fmt(t.liveFramesPerSecondMedian, 1)} frames/s and ≤ ${fmt(t.liveBytesPerSecondMedian)} B/s per socket (median), every type ≤ ${fmt(t.allFramesPerSecondP95, 1)} frames/s (p95), ` +
      `≤ ${fmt(t.presenceFramesPerReconnect)} presence frames per reconnect: ${result.met ? 'met' : 'not met'} (${JSON.stringify(result.checks ?? {})}).`,
    '',
  ];
}

/** Q1 (tests/bench/search.ts): latency of GET /v1/search by kind of query, through the real server. */
function searchTable(result: Json): string[] {
  if (!result.perKind) return [];
  const matches = result.matchesInMemberRooms ?? {};
  return [
    `${fmt(result.messages)} messages in ${result.rooms} groups (${result.wordsPerMessage} words each, Zipf over ${fmt(result.vocabulary)} words); the user is in ${result.memberRooms}. ` +
      `${result.requests} requests one at a time, round robin over the kinds, after ${result.warmup} uncounted.`,
    '',
    table(
      ['query', 'matches in the user\'s rooms', 'p50 ms', 'p95 ms', 'max ms'],
      Object.entries(result.perKind as Record<string, Json>).map(([kind, r]) => [`${kind}: \`${r.query}\``, fmt(matches[kind]), fmt(r.p50, 1), fmt(r.p95, 1), fmt(r.max, 1)]),
    ),
    '',
    `All: p50 ${fmt(result.overall?.p50, 1)} ms, p95 ${fmt(result.overall?.p95, 1)} ms. Target: common words p95 ≤ ${fmt(result.target?.commonWordP95Ms)} ms: ${result.met ? 'met' : 'not met'}. ` +
      `Load average ${result.loadAverage?.start?.join(' ')} at the start, ${result.loadAverage?.end?.join(' ')} at the end.`,
    '',
  ];
}

export function renderMarkdown(results: Results): string {
  const m = results.machine;
  const out: string[] = [`# Whisper benchmarks${results.quick ? ' (quick settings: development only)' : ''}`, ''];
  out.push(`- date: ${results.date}`);
  if (m) {
    out.push(`- machine: ${m.cpuModel} × ${m.cpuCount}, ${m.totalMemoryGiB} GiB RAM, ${m.os}`);
    out.push(`- node ${m.node}, PostgreSQL ${m.postgres} (${Object.entries(m.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ')}), fd limit ${m.fdLimit}`);
    out.push(`- load average at start: ${m.loadAverageAtStart.join(' ')}`);
  }
  out.push(`- reproduce: \`${results.reproduce}\``);
  if (results.sharedMachineNote) out.push(`- ${results.sharedMachineNote}`);
  out.push('');
  const b = results.benchmarks;
  const failed = (name: string) => (b[name]?.error && !b[name]?.targets && !b[name]?.whisper ? `## ${name}\n\nerror: ${b[name].error}\n` : null);
  if (b.fanout) out.push(failed('fanout') ?? fanoutSection(b.fanout, results.settings));
  if (b.ingest) out.push(ingestSection(b.ingest, results.settings));
  if (b.capacity) out.push(failed('capacity') ?? capacitySection(b.capacity, results.settings));
  if (b['client-weight']) out.push(externalSection('Client weight (tests/bench/client-weight.ts)', b['client-weight'], startupTable));
  if (b['reconnect-flush']) out.push(externalSection('Reconnect flush (tests/bench/reconnect-flush.ts)', b['reconnect-flush']));
  if (b.catchup) out.push(externalSection('Multi-room catch-up (tests/bench/multi-room-catchup.ts)', b.catchup, catchupTable));
  if (b.live) out.push(externalSection('Live signals (tests/bench/live-signals.ts)', b.live, liveTable));
  if (b.upload) out.push(externalSection('Upload resume (tests/bench/upload-resume.ts)', b.upload));
  if (b.search) out.push(externalSection('Search (tests/bench/search.ts)', b.search, searchTable));
  return `${out.join('\n')}\n`;
}
