/**
 * R1 chaos: many real client engines (tests/support/node-client.ts) talk to
 * the real server, a child process, through the fault proxy. While they send
 * at random intervals the proxy cuts every connection at random, drops acks
 * and broadcasts, goes silent, the database stalls, and the server is killed
 * with SIGKILL and restarted on the same database and port. Then the faults
 * stop, every client must drain its outbox and catch up, and the database
 * and every client's view are checked: every message stored exactly once,
 * every ack true, seqs gap-free, every client with the database's sequence.
 *
 * Fault model. The proxy drops frames rather than holding them (while
 * silent, and for dropFromServer), which no TCP connection does: inside one
 * connection a frame can only vanish together with everything after it. So
 * every fault that loses a frame which the client is entitled to trust (a
 * catch-up page before its `synced`) ends the stream before anything after
 * it arrives:
 * - a dropped `messages` frame (a broadcast, or maybe a catch-up page)
 *   makes the network die: silent at once, every connection cut a moment
 *   later;
 * - a short silence ends with every connection cut;
 * - the long silence (the heartbeat test) outlasts the client's heartbeat
 *   (HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS) and nothing else runs
 *   meanwhile, so every socket it starved is given up by its client;
 * - a dropped ack (`message_ids`) either kills the network too (the classic
 *   lost ack: stored, but neither ack nor broadcast reaches the sender) or
 *   leaves the connection alive: the case of the client's ack timeout (C4);
 * - a broadcast may also vanish on a connection that lives on (what a
 *   server-side fan-out miss looks like: the client must notice the gap),
 *   but only while no client is catching up, so it cannot be a catch-up page.
 * Database stalls (the room row locked by the test) hold sends in the
 * server while a cut makes the clients resend them: the resend race that S3
 * idempotency exists for; without stalls a catch-up nearly always finds the
 * first copy committed and no resend happens at all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultProxy } from '../e2e/support/fault-proxy.js';
import { createNodeClient, socketStats, type AckRecord, type NodeClient } from '../support/node-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { HISTORY_DEFAULT_LIMIT } from '../../server/protocol/index.js';
import { freePort } from '../support/free-port.js';
import { emptyActionCounts, formatActionCounts, MessageActionRun, openPage, type MessageActionCounts, type Page } from './message-actions-check.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The default TOKEN_SECRET of a run (options.tokenSecret). */
const TOKEN_SECRET = 'chaos-secret-chaos-secret-chaos-secret-0123';
const ROOM = 'general';
const SERVER_START_TIMEOUT_MS = 60_000;
const POLL_MS = 200;
/** Client heartbeat: ping after 15 s of silence, give up 10 s later (connection.machine.ts). */
const CLIENT_HEARTBEAT_DEADLINE_MS = 25_000;
/** Least time between a restart and the next kill. */
const KILL_SPACING_MS = 3_000;
/** How long the faults pause for the clients to get live before the heartbeat silence. */
const HEARTBEAT_CALM_TIMEOUT_MS = 20_000;
/** Bound on the wait for membership changes made with no faults to reach every client. */
const QUIET_SETTLE_MS = 10_000;
/** Log entries that change a message (E2): a device applies them to the message and keeps no entry of its own. */
const MESSAGE_EVENT_KINDS = new Set(['edit', 'delete', 'react', 'unreact']);
const MESSAGE_EVENT_KINDS_SQL = [...MESSAGE_EVENT_KINDS].map((kind) => `'${kind}'`).join(', ');

export interface ChaosOptions {
  clients: number;
  messagesPerClient: number;
  /** Pause before each send, per client, uniform in [min, max] ms. */
  sendIntervalMs: [number, number];
  /** Time between proxy cuts of every connection. */
  cutIntervalMs: [number, number];
  /** Chance that an ack frame (P3) is dropped. */
  ackDropRate: number;
  /**
   * Share of the dropped acks after which the network dies (the classic lost
   * ack: stored, but neither the ack nor the broadcast reaches the sender,
   * who must resend: S3). The other dropped acks leave the connection alive.
   */
  ackDropKillsNetwork: number;
  /** Chance that a `messages` frame (P4, or a P6 page) is dropped; the network then dies. */
  messagesDropRate: number;
  /**
   * Chance that a `messages` frame is dropped while the connection lives on
   * (a broadcast the server never delivered: the client must see the gap in
   * the next one and catch up). Only while no client is catching up (P6),
   * so that the frame cannot be a catch-up page, and only until this share
   * of the messages is enqueued, so that later broadcasts reveal every gap.
   */
  liveDropRate: number;
  liveDropUntil: number;
  /** Time between short silences, and their length (each ends with a cut). */
  silenceEveryMs: [number, number];
  silenceMs: [number, number];
  /**
   * Database stalls: the test holds the room row's lock (what every insert
   * takes first, S2) for a while, so sends queue in the server; a cut during
   * the stall makes the clients resend what the server will still commit:
   * the resend race S3 exists for. Time between stalls, and their length.
   */
  stallEveryMs: [number, number];
  stallMs: [number, number];
  /**
   * Server processes on the one database (S6), each with a DATA_DIR of its
   * own, behind the proxy, which spreads new connections over the running
   * ones (round robin, as a load balancer with health checks would). A kill
   * takes down one instance, in turn; its clients reconnect to the others.
   * Default 1.
   */
  instances?: number;
  /** A killed instance comes back on a new, empty DATA_DIR (a container with a fresh disk). */
  freshDataDirOnRestart?: boolean;
  /**
   * TOKEN_SECRET given to every instance. null: none, so the instances must
   * agree on a generated one by themselves (P1). Default: a fixed secret.
   */
  tokenSecret?: string | null;
  /** SIGKILLs of a server, spread evenly over the send phase unless killsAt says when. */
  kills: number;
  /** Per kill, the share of all messages enqueued when it comes (0–1). */
  killsAt?: number[];
  /** How long the server stays down after a kill before it is started again. */
  downtimeMs: [number, number];
  /** Faults go on at least this long after the last restart (the outbox flushes under fire too). */
  faultsAfterRestartMs: number;
  /**
   * Time between reloads: a random client's engine stops (its socket closes,
   * its database stays) and a new engine starts on the same database, as a
   * page reload does (C1, C2, C8). Absent: none.
   */
  reloadEveryMs?: [number, number];
  /** One silence long enough for every client's heartbeat to give up (C3), at this share of the sends; 0: none. */
  heartbeatSilenceAt?: number;
  /** Bound on the wait for every outbox to drain and every view to catch up once the faults stop. */
  settleTimeoutMs: number;
  /** Seed of the fault schedule (the clients' own jitter and ids stay random). */
  seed?: number;
  log?: (line: string) => void;
  /** Log every client's phase changes (debugging). */
  tracePhases?: boolean;
  /** Log a progress line (clients live, enqueued, stored) this often; 0: never. */
  progressEveryMs?: number;
  /**
   * Rooms (M4, M5, E1): during the send phase, under the same faults, this
   * many groups are created by random clients (each with a few others as
   * members), and this many membership changes follow (the owner adds
   * someone, the owner removes someone, a member leaves), all through the
   * clients' outboxes; every message goes to a random room its client is in
   * at that moment by its own room list (general included). Absent: every
   * message goes to general, as before.
   */
  rooms?: { groups: number; membershipChanges: number };
  /**
   * Message actions (X1–X4, E5; message-actions-check.ts): this many per
   * device, spread over its sends, under the same faults: edits and deletes
   * of its own messages (in the outbox, in flight or acked) and reactions
   * on messages of its rooms, quick on/off toggles included, all through
   * the device's page (the app's store on the device's database). The
   * device's sends and room ops then go through its page too. Absent: none.
   */
  messageActions?: { perClient: number };
}

export interface ChaosReport {
  seed: number;
  clients: number;
  /** Messages enqueued by all clients. */
  messages: number;
  /** Rows in the room at the end. */
  stored: number;
  lastSeq: number;
  cuts: number;
  stalls: number;
  /** A frame dropped, then silence and every connection cut. */
  networkDeaths: number;
  silences: number;
  heartbeatSilences: number;
  /** Clients live when the heartbeat silence began, and sockets their heartbeat gave up during it (C3). */
  liveAtHeartbeatSilence: number;
  heartbeatTimeouts: number;
  ackFramesDropped: number;
  messageFramesDropped: number;
  /** Broadcasts dropped on connections that lived on. */
  liveFramesDropped: number;
  kills: number;
  reloads: number;
  /** Sockets the clients opened (reconnects). */
  connections: number;
  /** Message items written to sockets, resends included. */
  itemsWritten: number;
  durationMs: number;
  sendPhaseMs: number;
  settleMs: number;
  settled: boolean;
  lost: number;
  duplicated: number;
  /** With `rooms`: groups created, membership changes made, and messages refused (unknown_room) because their author had been removed or had left. */
  groups: number;
  membershipChanges: number;
  refused: number;
  /** With `rooms`: membership changes made after convergence with no faults, which must reach every client live, without a reconnect (M4, M5). */
  quietChanges: number;
  /** With `rooms` or `messageActions`: log entries that are not messages (room_events) at the end, over every room. */
  roomEvents: number;
  /** With `messageActions`: what the devices did, and what the log and the checks saw of it. */
  messageActions: MessageActionCounts;
  /** With `messageActions`: messages their author deleted before they left the device, so never stored (not lost). */
  withdrawn: number;
  /** Every violated check, in words; empty when R1 holds. */
  problems: string[];
}

/** mulberry32: a small seeded PRNG for the fault schedule. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The real server (`node --import tsx server/main.ts`), killable with SIGKILL. */
class ServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly output: string[] = [];

  constructor(readonly env: NodeJS.ProcessEnv, readonly port: number) {}

  /** Answering /healthz, and not killed since. */
  ready = false;

  /** The server's last lines of output, for a failure report. */
  tail(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('the server is already running');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.output.push(line);
      if (this.output.length > 500) this.output.splice(0, this.output.length - 500);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    let exitedEarly = false;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        exitedEarly = true;
        this.ready = false;
        if (this.child === child) this.child = null;
        resolve();
      }),
    );
    const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
    for (;;) {
      if (exitedEarly) throw new Error(`the server exited while starting:\n${this.tail()}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (response.ok) {
          this.ready = true;
          return;
        }
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`the server did not start within ${SERVER_START_TIMEOUT_MS} ms:\n${this.tail()}`);
      }
      await sleep(100);
    }
  }

  /** kill -9: no drain, no close frames, transactions cut wherever they are. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.ready = false;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The end of the run: a graceful stop, or a kill if it hangs. */
  async stop(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous, for process exit. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }
}

/** Some variety: lengths, multi-byte text, characters that need escaping. */
function contentFor(client: number, index: number, random: () => number): string {
  const extras = ['', ' — ünïcödé', ' 🦊🚀', ' "quoted" \\ back\\slash', ' <b>not html</b>', ' ' + 'x'.repeat(Math.floor(random() * 400))];
  return `c${client} #${index}${extras[Math.floor(random() * extras.length)]}`;
}

function frameType(frame: string): string | undefined {
  try {
    return (JSON.parse(frame) as { type?: string }).type;
  } catch {
    return undefined;
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  /** Rooms or message actions: the log holds events (E2) besides messages, and every room is checked entry by entry. */
  const logMode = options.rooms !== undefined || options.messageActions !== undefined;
  const random = prng(seed);
  const between = ([min, max]: [number, number]) => min + random() * (max - min);
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const socketsAtStart = { ...socketStats };

  const report: ChaosReport = {
    seed,
    clients: options.clients,
    messages: 0,
    stored: 0,
    lastSeq: 0,
    cuts: 0,
    stalls: 0,
    networkDeaths: 0,
    silences: 0,
    heartbeatSilences: 0,
    liveAtHeartbeatSilence: 0,
    heartbeatTimeouts: 0,
    ackFramesDropped: 0,
    messageFramesDropped: 0,
    liveFramesDropped: 0,
    kills: 0,
    reloads: 0,
    connections: 0,
    itemsWritten: 0,
    durationMs: 0,
    sendPhaseMs: 0,
    settleMs: 0,
    settled: false,
    lost: 0,
    duplicated: 0,
    groups: 0,
    membershipChanges: 0,
    refused: 0,
    quietChanges: 0,
    roomEvents: 0,
    messageActions: emptyActionCounts(),
    withdrawn: 0,
    problems: [],
  };
  const problems = report.problems;

  // Background write failures of the engine are logged as "whisper: … failed".
  const engineErrors: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('whisper:')) engineErrors.push(args.map(String).join(' '));
    consoleError(...args);
  };

  let db: TestDatabase | undefined;
  const dataDirs: string[] = [];
  const servers: ServerProcess[] = [];
  let proxy: FaultProxy | undefined;
  const clients: NodeClient[] = [];
  /** With `messageActions`, each device's page (message-actions-check.ts): the writer of its outbox, as in the app. */
  const pages: (Page | undefined)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const killOnExit = () => servers.forEach((server) => server.killNow());
  process.once('exit', killOnExit);
  const newDataDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-chaos-'));
    dataDirs.push(dir);
    return dir;
  };
  const serversTail = () => servers.map((server, k) => `instance ${k} (:${server.port}):\n${server.tail()}`).join('\n');

  try {
    db = await createTestDatabase();
    const tokenSecret = options.tokenSecret === undefined ? TOKEN_SECRET : options.tokenSecret;
    for (let k = 0; k < (options.instances ?? 1); k++) {
      const [port, dataDir] = [await freePort(), await newDataDir()];
      servers.push(
        new ServerProcess(
          {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DATABASE_URL: db.url,
            PORT: String(port),
            HOST: '127.0.0.1',
            DATA_DIR: dataDir,
            ...(tokenSecret === null ? {} : { TOKEN_SECRET: tokenSecret }),
            LOG_LEVEL: 'warn',
            CLIENT_DIR: path.join(dataDir, 'no-client-build'),
            // The checks count every room's log entries and messages: no welcome DMs of the bot's.
            BOT_GREETING: '0',
          },
          port,
        ),
      );
    }
    // At once, as a deployment's instances come up: they race to create the shared secret.
    await Promise.all(servers.map((server) => server.start()));
    let nextTarget = 0;
    proxy = new FaultProxy(() => {
      const running = servers.filter((server) => server.ready);
      // None running: aim at a dead port, which refuses, as a dead backend does.
      return (running[nextTarget++ % Math.max(1, running.length)] ?? servers[0]).port;
    });
    const origin = `http://127.0.0.1:${await proxy.listen()}`;
    log(`seed ${seed}; servers ${servers.map((server) => `:${server.port}`).join(', ')}, proxy ${origin}`);

    let heartbeatTimeouts = 0;
    // Per simulated device, over all its engines (a reload starts a new one on the same database).
    const acks = Array.from({ length: options.clients }, () => new Map<string, AckRecord>());
    const users = Array.from({ length: options.clients }, () => new Set<string>());
    const ackConflicts: string[] = [];
    const startClient = (i: number) =>
      createNodeClient({
        origin,
        name: `chaos-${seed}-${i}-${startedAt}`,
        onAck: (ack) =>
          ack.client_ids.forEach((clientId, k) => {
            if (clientId === null) return;
            const record = { id: ack.message_ids[k], seq: ack.seqs[k] };
            const previous = acks[i].get(clientId);
            if (previous && (previous.id !== record.id || previous.seq !== record.seq)) {
              ackConflicts.push(`client ${i}: ${clientId} acked as ${previous.id}/${previous.seq}, then ${record.id}/${record.seq}`);
            }
            acks[i].set(clientId, record);
          }),
        onPhase: (phase, event) => {
          if (event.startsWith('xstate.after.heartbeatTimeout')) heartbeatTimeouts++;
          const userId = clients[i]?.identity?.user_id;
          if (userId) users[i].add(userId);
          if (options.tracePhases) {
            log(`${((Date.now() - startedAt) / 1000).toFixed(2)} s client ${i} → ${phase} on ${event} (synced ${clients[i]?.syncedSeq() ?? 0})`);
          }
        },
      });
    for (let i = 0; i < options.clients; i++) clients.push(await startClient(i));
    if (options.messageActions) for (let i = 0; i < options.clients; i++) pages[i] = await openPage(clients[i].name);
    /** Who writes a device's outbox (sends, room ops): its page with message actions, else the Node client's own store. */
    const actor = (c: number): Pick<Page, 'send' | 'createRoom' | 'addMembers' | 'leaveRoom' | 'removeMember'> => pages[c] ?? clients[c];
    /** Engines replaced by a reload, for their errors and socket counts. */
    const retired: NodeClient[] = [];
    // A device does one thing at a time: a send, or a reload.
    const deviceQueues = clients.map(() => Promise.resolve<unknown>(undefined));
    const onDevice = <T>(i: number, work: () => Promise<T>): Promise<T> => {
      const result = deviceQueues[i].then(work);
      deviceQueues[i] = result.catch(() => undefined);
      return result;
    };
    const reload = (i: number) =>
      onDevice(i, async () => {
        const old = clients[i];
        const userId = old.identity?.user_id;
        if (userId) users[i].add(userId);
        retired.push(old);
        // The page goes with the reload, and comes back on the same database.
        await pages[i]?.close();
        await old.stop();
        clients[i] = await startClient(i);
        if (options.messageActions) pages[i] = await openPage(clients[i].name);
        report.reloads++;
      });
    // Everyone joins the empty room before anything is sent, so every view
    // must end up as the whole room.
    await Promise.all(clients.map((client) => client.waitUntilLive(30_000)));
    /** Each device's identity, from its first hello (the run checks that it never changes). */
    const userIdOf = clients.map((client) => client.identity!.user_id);
    // Rooms: the harness's own model of the groups (who it asked to be in them),
    // to choose membership changes; the checks compare against the database.
    const groups: { id: string; owner: number; members: Set<number> }[] = [];
    /** Per device, the groups it was removed from or left during the run. */
    const departed = clients.map(() => new Set<string>());

    // --- Faults ----------------------------------------------------------
    let faultsOn = true;
    const total = options.clients * options.messagesPerClient;
    let enqueuedCount = 0;
    const chaosTasks: Promise<void>[] = [];
    let chaosFailure: unknown;
    const chaosTask = (task: Promise<void>) => chaosTasks.push(task.catch((error: unknown) => void (chaosFailure ??= error)));
    const later = (ms: number, work: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        work();
      }, ms);
      timers.add(timer);
    };
    // Silence has several holders (short silences, a dying network, the heartbeat silence).
    let silenceHolders = 0;
    const silence = () => {
      silenceHolders++;
      proxy!.setSilent(true);
    };
    const unsilence = (cut: boolean) => {
      // A frame may have been dropped in the middle of a stream: end the streams.
      if (cut) {
        proxy!.cutAll();
        report.cuts++;
      }
      silenceHolders = Math.max(0, silenceHolders - 1);
      proxy!.setSilent(silenceHolders > 0);
    };
    // From the moment the heartbeat silence is due until it ends, no other
    // fault runs: the network calms down, the clients get live, and then
    // nothing but their own heartbeat may end the starved sockets.
    let heartbeatSilence = false;
    const cutLoop = () =>
      later(between(options.cutIntervalMs), () => {
        if (!faultsOn) return;
        if (!heartbeatSilence) {
          proxy!.cutAll();
          report.cuts++;
        }
        cutLoop();
      });
    const silenceLoop = () =>
      later(between(options.silenceEveryMs), () => {
        if (!faultsOn) return;
        if (!heartbeatSilence) {
          silence();
          report.silences++;
          later(between(options.silenceMs), () => unsilence(true));
        }
        silenceLoop();
      });
    let networkDying = false;
    proxy.dropFromServer = (frame) => {
      if (!faultsOn || heartbeatSilence) return false;
      const type = frameType(frame);
      const dies = () => {
        if (networkDying) return;
        networkDying = true;
        report.networkDeaths++;
        silence();
        later(50 + random() * 250, () => {
          networkDying = false;
          unsilence(true);
        });
      };
      if (type === 'message_ids' && random() < options.ackDropRate) {
        report.ackFramesDropped++;
        if (random() < options.ackDropKillsNetwork) dies();
        return true;
      }
      // With rooms, events frames (E2) are log entries like messages and may vanish the same ways.
      const logFrame = type === 'messages' || (logMode && type === 'events');
      if (logFrame && random() < options.messagesDropRate) {
        report.messageFramesDropped++;
        dies();
        return true;
      }
      if (
        logFrame &&
        enqueuedCount < total * options.liveDropUntil &&
        !clients.some((client) => client.phase() === 'syncing') &&
        // Catch-ups also run on live connections (a gap; with rooms, a room one
        // was added to): a page of one must not vanish while the stream goes on.
        socketStats.catchingUp === 0 &&
        random() < options.liveDropRate
      ) {
        report.liveFramesDropped++;
        return true;
      }
      return false;
    };
    const stall = async () => {
      const connection = await db!.pool.connect();
      try {
        await connection.query('BEGIN');
        // With rooms, the stall holds a random room's lock (general or a group): ops take it too (M4).
        const stalled = options.rooms && groups.length > 0 ? [ROOM, ...groups.map((group) => group.id)][Math.floor(random() * (groups.length + 1))] : ROOM;
        await connection.query('SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE', [stalled]);
        report.stalls++;
        const length = between(options.stallMs);
        // The network dies while sends wait on the lock.
        const cutAt = length * (0.3 + 0.5 * random());
        await sleep(cutAt);
        if (faultsOn && !heartbeatSilence) {
          proxy!.cutAll();
          report.cuts++;
        }
        await sleep(length - cutAt);
      } finally {
        await connection.query('COMMIT').catch(() => undefined);
        connection.release();
      }
    };
    let stalling: Promise<void> = Promise.resolve();
    const stallLoop = () =>
      later(between(options.stallEveryMs), () => {
        if (!faultsOn) return;
        stalling = stall().then(stallLoop, (error: unknown) => void (chaosFailure ??= error));
      });
    let reloading: Promise<void> = Promise.resolve();
    const reloadLoop = () =>
      options.reloadEveryMs &&
      later(between(options.reloadEveryMs), () => {
        if (!faultsOn) return;
        if (heartbeatSilence) return reloadLoop();
        reloading = reload(Math.floor(random() * clients.length)).then(reloadLoop, (error: unknown) => void (chaosFailure ??= error));
      });
    cutLoop();
    silenceLoop();
    stallLoop();
    reloadLoop();
    const progress = async () => {
      const live = clients.filter((client) => client.phase() === 'live').length;
      const head = (await db!.pool.query<{ n: number }>('SELECT last_seq::int AS n FROM rooms WHERE id = $1', [ROOM])).rows[0].n;
      log(`${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${live}/${clients.length} live, ${enqueuedCount} enqueued, ${head} stored, ${report.cuts} cuts`);
    };
    const progressTimer = options.progressEveryMs ? setInterval(() => void progress().catch(() => undefined), options.progressEveryMs) : undefined;
    if (progressTimer) timers.add(progressTimer);

    // --- Sends, kills ----------------------------------------------------
    const enqueued = new Map<string, { client: number; content: string; roomId: string }>();
    // Rooms: groups are created over the first ~40 % of the sends, membership changes over 20–85 %.
    const roomSchedule: { at: number; action: 'create' | 'change' }[] = [];
    if (options.rooms) {
      const { groups: groupCount, membershipChanges } = options.rooms;
      for (let k = 0; k < groupCount; k++) roomSchedule.push({ at: Math.floor(total * (0.03 + (0.35 * k) / Math.max(1, groupCount))), action: 'create' });
      for (let k = 0; k < membershipChanges; k++) roomSchedule.push({ at: Math.floor(total * (0.2 + (0.65 * (k + 0.5)) / membershipChanges)), action: 'change' });
      roomSchedule.sort((a, b) => a.at - b.at);
    }
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const actionRun = options.messageActions
      ? new MessageActionRun({ clients: options.clients, messagesPerClient: options.messagesPerClient, perClient: options.messageActions.perClient, random, counts: report.messageActions })
      : undefined;
    const createGroup = async () => {
      const owner = Math.floor(random() * clients.length);
      const others = clients.map((_, c) => c).filter((c) => c !== owner);
      const count = Math.min(others.length, 2 + Math.floor(random() * 3));
      const members: number[] = [];
      while (members.length < count) {
        const c = pick(others.filter((o) => !members.includes(o)));
        members.push(c);
      }
      const name = `group ${groups.length + 1}`;
      const id = await onDevice(owner, () => actor(owner).createRoom({ kind: 'group', name, userIds: members.map((c) => userIdOf[c]) }));
      groups.push({ id, owner, members: new Set([owner, ...members]) });
      report.groups++;
      log(`client ${owner} creates ${name} (${id}) with clients ${members.join(', ')} after ${enqueuedCount} enqueued`);
    };
    const changeMembership = async () => {
      type Change = { kind: 'add' | 'remove' | 'leave'; group: (typeof groups)[number]; target: number };
      const candidates: Change[] = [];
      for (const group of groups) {
        const outsiders = clients.map((_, c) => c).filter((c) => !group.members.has(c));
        const others = [...group.members].filter((c) => c !== group.owner);
        for (const target of outsiders) candidates.push({ kind: 'add', group, target });
        for (const target of others) {
          candidates.push({ kind: 'remove', group, target });
          // A member leaves a group its own room list shows (not one it has not heard of yet).
          if ((await clients[target].rooms()).some((room) => room.id === group.id)) candidates.push({ kind: 'leave', group, target });
        }
      }
      if (candidates.length === 0) return;
      // One kind first (so the three stay balanced), then one of its cases.
      const kinds = [...new Set(candidates.map((change) => change.kind))];
      const kind = pick(kinds);
      const { group, target } = pick(candidates.filter((change) => change.kind === kind));
      if (kind === 'add') {
        await onDevice(group.owner, () => actor(group.owner).addMembers(group.id, [userIdOf[target]]));
        group.members.add(target);
      } else if (kind === 'remove') {
        await onDevice(group.owner, () => actor(group.owner).removeMember(group.id, userIdOf[target]));
        group.members.delete(target);
        departed[target].add(group.id);
      } else {
        await onDevice(target, () => actor(target).leaveRoom(group.id));
        group.members.delete(target);
        departed[target].add(group.id);
      }
      report.membershipChanges++;
      log(`${kind === 'leave' ? `client ${target} leaves` : `client ${group.owner} ${kind === 'add' ? 'adds' : 'removes'} client ${target} ${kind === 'add' ? 'to' : 'from'}`} ${group.id} after ${enqueuedCount} enqueued`);
    };
    // Room actions run one after another, in schedule order.
    let roomActions: Promise<void> = Promise.resolve();
    const roomMilestone = () => {
      while (roomSchedule.length > 0 && enqueuedCount >= roomSchedule[0].at) {
        const { action } = roomSchedule.shift()!;
        roomActions = roomActions.then(action === 'create' ? createGroup : changeMembership);
        chaosTask(roomActions);
      }
    };
    /** A random room the client is in by its own list (general when it lists none). */
    const roomToPost = async (c: number) => {
      if (!options.rooms) return ROOM;
      const rooms = (await clients[c].rooms()).map((room) => room.id);
      return rooms.length > 0 ? pick(rooms) : ROOM;
    };
    const killAt = Array.from({ length: options.kills }, (_, k) => Math.floor(total * (options.killsAt?.[k] ?? (k + 1) / (options.kills + 1))));
    const heartbeatAt = options.heartbeatSilenceAt ? Math.floor(total * options.heartbeatSilenceAt) : -1;
    let lastRestartAt = 0;
    // One kill at a time, and never one before the clients had a while with the restarted server.
    let killing = false;
    const killDue = () => !killing && !heartbeatSilence && Date.now() >= lastRestartAt + KILL_SPACING_MS;
    const milestoneKill = () => {
      killing = true;
      chaosTask(
        (async () => {
          try {
            const server = servers[report.kills % servers.length];
            await server.kill();
            report.kills++;
            log(`kill -9 of :${server.port} after ${enqueuedCount} enqueued (${Date.now() - startedAt} ms)`);
            await sleep(between(options.downtimeMs));
            if (options.freshDataDirOnRestart) {
              server.env.DATA_DIR = await newDataDir();
              server.env.CLIENT_DIR = path.join(server.env.DATA_DIR, 'no-client-build');
            }
            await server.start();
            lastRestartAt = Date.now();
            log(`server back (${Date.now() - startedAt} ms)`);
          } finally {
            killing = false;
          }
        })(),
      );
    };
    const milestone = () => {
      enqueuedCount++;
      roomMilestone();
      if (killAt.length > 0 && enqueuedCount >= killAt[0] && killDue()) {
        killAt.shift();
        milestoneKill();
      }
      if (enqueuedCount === heartbeatAt) {
        heartbeatSilence = true;
        chaosTask(
          (async () => {
            const calmUntil = Date.now() + HEARTBEAT_CALM_TIMEOUT_MS;
            const liveCount = () => clients.filter((client) => client.phase() === 'live').length;
            while ((silenceHolders > 0 || networkDying || liveCount() < clients.length * 0.8) && Date.now() < calmUntil) await sleep(100);
            const hold = CLIENT_HEARTBEAT_DEADLINE_MS + 10_000;
            report.heartbeatSilences++;
            report.liveAtHeartbeatSilence = liveCount();
            const timeoutsBefore = heartbeatTimeouts;
            log(`silence for ${hold} ms with ${report.liveAtHeartbeatSilence}/${clients.length} clients live (heartbeat)`);
            silence();
            await sleep(hold);
            report.heartbeatTimeouts = heartbeatTimeouts - timeoutsBefore;
            // No cut: the clients' heartbeats must have ended every starved socket.
            heartbeatSilence = false;
            unsilence(false);
          })(),
        );
      }
    };
    const sendPhaseStart = Date.now();
    await Promise.all(
      clients.map(async (_, c) => {
        for (let i = 0; i < options.messagesPerClient; i++) {
          await sleep(between(options.sendIntervalMs));
          const item = await onDevice(c, async () => actor(c).send(contentFor(c, i, random), await roomToPost(c)));
          enqueued.set(item.client_id, { client: c, content: item.content, roomId: item.room_id });
          milestone();
          for (let k = actionRun?.due(c, i) ?? 0; k > 0; k--) {
            await sleep(random() * 100);
            await onDevice(c, () => actionRun!.act(c, pages[c]!, item));
          }
        }
      }),
    );
    report.messages = enqueued.size;
    // The kills and the heartbeat silence finish before the faults stop.
    await Promise.all(chaosTasks);
    // A kill held back (by the heartbeat silence, or the one before) still happens, under faults.
    while (killAt.length > 0) {
      while (!killDue()) await sleep(100);
      killAt.shift();
      milestoneKill();
      await Promise.all(chaosTasks);
    }
    if (chaosFailure) throw chaosFailure;
    const tail = lastRestartAt + options.faultsAfterRestartMs - Date.now();
    if (tail > 0) await sleep(tail);
    report.sendPhaseMs = Date.now() - sendPhaseStart;

    // --- Faults stop; everyone must converge -----------------------------
    faultsOn = false;
    if (progressTimer) clearInterval(progressTimer);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    await stalling;
    await reloading;
    if (chaosFailure) throw chaosFailure;
    proxy.dropFromServer = null;
    if (silenceHolders > 0 || networkDying) {
      proxy.cutAll();
      report.cuts++;
    }
    silenceHolders = 0;
    networkDying = false;
    proxy.setSilent(false);
    log(`faults stopped (${Date.now() - startedAt} ms); waiting for the clients to converge`);

    const settleStart = Date.now();
    const lastSeq = async () =>
      (await db!.pool.query<{ last_seq: number }>('SELECT last_seq::int AS last_seq FROM rooms WHERE id = $1', [ROOM])).rows[0].last_seq;
    /** The database's rooms (id → last_seq, undeleted only) and each user's rooms (M1: general is everyone's). */
    const roomTruth = async () => {
      const { rows: roomRows } = await db!.pool.query<{ id: string; last_seq: number; everyone: boolean }>(
        'SELECT id, last_seq::int AS last_seq, everyone FROM rooms WHERE deleted_at IS NULL',
      );
      const { rows: memberRows } = await db!.pool.query<{ room_id: string; user_id: string }>('SELECT room_id, user_id::text AS user_id FROM room_members');
      const lastSeqOf = new Map(roomRows.map((row) => [row.id, row.last_seq]));
      const everyones = roomRows.filter((row) => row.everyone).map((row) => row.id);
      const roomsOf = (userId: string) =>
        [...everyones, ...memberRows.filter((row) => row.user_id === userId && lastSeqOf.has(row.room_id)).map((row) => row.room_id)].sort();
      // What a device holds of a room's log: every entry but those that change a message (E2), which change the message instead.
      const { rows: heldRows } = await db!.pool.query<{ room_id: string; head: number; messages: number }>(
        `SELECT room_id, max(seq)::int AS head, count(*) FILTER (WHERE message)::int AS messages FROM (
           SELECT room_id, seq, true AS message FROM messages
           UNION ALL SELECT room_id, seq, false FROM room_events WHERE kind NOT IN (${MESSAGE_EVENT_KINDS_SQL})) entries
          GROUP BY room_id`,
      );
      const held = new Map(heldRows.map((row) => [row.room_id, row]));
      /** The seq of the last entry a device holds of the room (0: none), and how many messages. */
      const heldHeadOf = (roomId: string) => held.get(roomId)?.head ?? 0;
      const messagesIn = (roomId: string) => held.get(roomId)?.messages ?? 0;
      return { lastSeqOf, roomsOf, heldHeadOf, messagesIn };
    };
    /** Highest seq a client holds of a room, messages and events together. */
    const headOf = async (client: NodeClient, roomId: string) =>
      Math.max(0, (await client.view(roomId)).at(-1)?.seq ?? 0, (await client.events(roomId)).at(-1)?.seq ?? 0);
    const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((id, i) => id === b[i]);
    const converged = async () => {
      const head = await lastSeq();
      if (!logMode) {
        for (const client of clients) {
          if ((await client.unsent()).length > 0) return false;
          const view = await client.view();
          if (view.length !== head || view.at(-1)?.seq !== head) return false;
        }
        return true;
      }
      // Rooms: failed rows stay in the outbox (C6) and are judged by the checks;
      // everything else must be sent, every room list and cursor the server's.
      const { lastSeqOf, roomsOf, heldHeadOf, messagesIn } = await roomTruth();
      for (const [c, client] of clients.entries()) {
        if ((await client.unsent()).some((item) => item.status !== 'failed')) return false;
        const theirs = roomsOf(userIdOf[c]);
        if (!sameList((await client.rooms()).map((room) => room.id).sort(), theirs)) return false;
        for (const roomId of theirs) {
          const last = lastSeqOf.get(roomId)!;
          if (client.syncedSeq(roomId) !== last || (await headOf(client, roomId)) !== heldHeadOf(roomId)) return false;
          // General is held whole (everyone was in it from the start), so a hole shows as a count.
          if (roomId === ROOM && (await client.view(roomId)).length !== messagesIn(ROOM)) return false;
        }
      }
      return true;
    };
    let nextProgress = settleStart + (options.progressEveryMs ?? 0);
    while (!(report.settled = await converged()) && Date.now() - settleStart < options.settleTimeoutMs) {
      if (options.progressEveryMs && Date.now() >= nextProgress) {
        nextProgress += options.progressEveryMs;
        const head = await lastSeq();
        const behind = [];
        for (const client of clients) {
          const [unsent, view] = [await client.unsent(), await client.view()];
          if (unsent.length > 0 || view.length !== head) behind.push(`${client.name.split('-')[2]}:${client.phase()} ${unsent.length} unsent, ${view.length}/${head}`);
          else if (options.rooms) behind.push(`${client.name.split('-')[2]}:${client.phase()} rooms [${(await client.rooms()).map((room) => `${room.id.slice(-4)}@${client.syncedSeq(room.id)}`).join(' ')}]`);
        }
        log(`settling ${((Date.now() - settleStart) / 1000).toFixed(1)} s: ${behind.join('; ')}`);
      }
      await sleep(POLL_MS);
    }
    report.settleMs = Date.now() - settleStart;
    if (!report.settled) {
      problems.push(`not converged within ${options.settleTimeoutMs} ms of the faults stopping (DB last_seq ${await lastSeq()})`);
      for (const client of clients) {
        const unsent = await client.unsent();
        const statuses = unsent.map((item) => `${item.status}${item.error_code ? `(${item.error_code})` : ''}×${item.attempts}`);
        problems.push(
          `  ${client.name}: phase ${client.phase()}, view up to seq ${(await client.view()).at(-1)?.seq ?? 0}, ` +
            `synced ${client.syncedSeq()}, ${client.connections()} sockets, outbox [${statuses.join(', ')}]`,
        );
      }
      if (options.rooms) {
        const { lastSeqOf, roomsOf } = await roomTruth();
        for (const [c, client] of clients.entries()) {
          const theirs = roomsOf(userIdOf[c]);
          const listed = (await client.rooms()).map((room) => room.id).sort();
          const cursors = [];
          for (const roomId of theirs) cursors.push(`${roomId}: synced ${client.syncedSeq(roomId)}, holds up to ${await headOf(client, roomId)} of ${lastSeqOf.get(roomId)}`);
          problems.push(`  client ${c} rooms: lists [${listed.join(', ')}], is in [${theirs.join(', ')}]; ${cursors.join('; ')}`);
        }
      }
    }
    // Rooms, live (M4, M5): with no faults, so no reconnect (whose round
    // would repair a room list anyway), the owner removes a member and adds
    // an outsider; every client must follow over the sockets it has.
    if (options.rooms && report.settled) {
      const socketsBefore = clients.map((client) => client.connections());
      const quiet: string[] = [];
      const removal = groups.find((group) => [...group.members].some((c) => c !== group.owner));
      let removed = -1;
      if (removal) {
        const target = (removed = [...removal.members].find((c) => c !== removal.owner)!);
        await onDevice(removal.owner, () => actor(removal.owner).removeMember(removal.id, userIdOf[target]));
        removal.members.delete(target);
        departed[target].add(removal.id);
        quiet.push(`client ${removal.owner} removes client ${target} from ${removal.id}`);
      }
      // Someone else than the one just removed: a new member, whose sockets the entry must subscribe.
      const outsider = (group: (typeof groups)[number]) => clients.findIndex((_, c) => c !== removed && !group.members.has(c));
      const addition = groups.find((group) => outsider(group) !== -1);
      if (addition) {
        const target = outsider(addition);
        await onDevice(addition.owner, () => actor(addition.owner).addMembers(addition.id, [userIdOf[target]]));
        addition.members.add(target);
        quiet.push(`client ${addition.owner} adds client ${target} to ${addition.id}`);
      }
      report.quietChanges = quiet.length;
      log(`quiet: ${quiet.join('; ')}`);
      const quietStart = Date.now();
      let quietSettled = false;
      while (!(quietSettled = await converged()) && Date.now() - quietStart < QUIET_SETTLE_MS) await sleep(POLL_MS);
      if (!quietSettled) problems.push(`not converged within ${QUIET_SETTLE_MS} ms of membership changes made with no faults (${quiet.join('; ')})`);
      clients.forEach((client, c) => {
        if (client.connections() !== socketsBefore[c]) problems.push(`client ${c} reconnected with no faults (${socketsBefore[c]} → ${client.connections()} sockets)`);
      });
      if (!quietSettled) {
        const { lastSeqOf, roomsOf } = await roomTruth();
        for (const [c, client] of clients.entries()) {
          const theirs = roomsOf(userIdOf[c]);
          const listed = (await client.rooms()).map((room) => room.id).sort();
          if (!sameList(listed, theirs)) problems.push(`  after the quiet changes client ${c} lists [${listed.join(', ')}], is in [${theirs.join(', ')}]`);
          for (const roomId of theirs) {
            if (client.syncedSeq(roomId) !== lastSeqOf.get(roomId)) problems.push(`  after the quiet changes client ${c}: ${roomId} synced ${client.syncedSeq(roomId)} of ${lastSeqOf.get(roomId)}`);
          }
        }
      }
    }
    // Settled means quiet: nothing may arrive twice afterwards.
    await sleep(500);

    /**
     * Rooms (M4, M5, E1): every device's room list is the server's list of
     * the rooms its user is in, and of each it holds a tail of the log with
     * nothing missing, nothing extra, up to last_seq: everything from its
     * admission on (the entry that created the room or added it), or at least
     * the newest page a device new to a room is given (P6: 50 entries,
     * has_older); its cursor is the room's last_seq. It holds nothing of any
     * other room, and every failed op is one the server had to refuse.
     */
    const checkRooms = async () => {
      const { lastSeqOf, roomsOf } = await roomTruth();
      for (const [c, client] of clients.entries()) {
        const userId = userIdOf[c];
        const theirs = roomsOf(userId);
        const listed = (await client.rooms()).map((room) => room.id).sort();
        if (!sameList(listed, theirs)) {
          problems.push(`client ${c} lists rooms [${listed.join(', ')}] but is in [${theirs.join(', ')}]`);
        }
        for (const room of allRooms) {
          const [view, events] = [await client.view(room.id), await client.events(room.id)];
          if (!theirs.includes(room.id)) {
            if (view.length + events.length > 0) problems.push(`client ${c} holds ${view.length} messages and ${events.length} events of ${room.id}, a room it is not in`);
            continue;
          }
          const last = lastSeqOf.get(room.id)!;
          const entries = entriesOf.get(room.id)!;
          if (client.syncedSeq(room.id) !== last) problems.push(`client ${c}: cursor of ${room.id} is ${client.syncedSeq(room.id)}, last_seq ${last}`);
          const held = [...view.map((m) => ({ seq: m.seq, id: m.id })), ...events.map((e) => ({ seq: e.seq, id: e.id }))].sort((a, b) => a.seq - b.seq);
          // Every entry of the log from the first it holds on, but those that change a message (E2: applied to it, not kept).
          const isHeld = (seq: number) => !messageEventSeqs.has(`${room.id}/${seq}`);
          const from = held[0]?.seq ?? 1;
          const due: number[] = [];
          for (let seq = from; seq <= last; seq++) if (isHeld(seq)) due.push(seq);
          const wrong = held.findIndex((entry, i) => entry.seq !== due[i] || entries.get(entry.seq) !== entry.id);
          if (wrong !== -1 || held.length !== due.length) {
            const at = wrong !== -1 ? wrong : Math.min(held.length, due.length);
            problems.push(
              `client ${c}: ${room.id} differs from the database: holds ${held.length} entries, seqs ${held[0]?.seq ?? '-'}..${held.at(-1)?.seq ?? '-'} of 1..${last}, ` +
                `${due.length} due from seq ${from}; first difference at position ${at}: holds ${held[at] ? `seq ${held[at].seq}: ${held[at].id}` : 'nothing'}, ` +
                `the log ${due[at] !== undefined ? `seq ${due[at]}: ${entries.get(due[at])}` : 'nothing'}`,
            );
            continue;
          }
          // The first page it was given may have begun with entries that change a message.
          let pageStart = from;
          while (pageStart > 1 && !isHeld(pageStart - 1)) pageStart--;
          // Where its user's membership began: created it (or general: always), or the latest added/joined entry naming them.
          const admitted = room.id === ROOM ? 1 : Math.max(
            1,
            ...eventRows
              .filter((e) => e.room_id === room.id && ((e.kind === 'room' && e.user_id === userId) || (e.kind === 'member' && (e.data.action === 'added' || e.data.action === 'joined') && e.data.user_ids?.includes(userId))))
              .map((e) => e.seq),
          );
          if (pageStart > admitted && last - pageStart + 1 < (room.id === ROOM ? Infinity : HISTORY_DEFAULT_LIMIT)) {
            problems.push(`client ${c}: ${room.id} starts at seq ${from}, after its admission at seq ${admitted}, with only ${last - pageStart + 1} entries of the log (less than a first page)`);
          }
        }
        // Failed rows: only what the server had to refuse (the room had been taken from them).
        for (const item of outboxes[c].values()) {
          if (item.status !== 'failed') continue;
          if (item.error_code !== 'unknown_room' || !departed[c].has(item.room_id)) {
            problems.push(`client ${c}: ${item.kind ?? 'message'} ${item.client_id}${item.op ? ` (${item.op.op})` : ''} in ${item.room_id} failed with ${item.error_code}: ${item.error_message}`);
          }
        }
      }
    };

    // --- Checks (R1) -----------------------------------------------------
    // Without rooms, general's rows; with rooms, every room's, by room and seq.
    const { rows } = await db.pool.query<{ id: string; room_id: string; seq: number; user_id: string; client_id: string | null; content: string }>(
      `SELECT id, room_id, seq::int AS seq, user_id::text AS user_id, client_id, content FROM messages
        ${logMode ? '' : 'WHERE room_id = $1'} ORDER BY room_id, seq`,
      logMode ? [] : [ROOM],
    );
    report.stored = rows.length;
    // Each device's outbox as it ends (failed rows stay there, C6).
    const outboxes = await Promise.all(clients.map(async (client) => new Map((await client.unsent()).map((item) => [item.client_id, item]))));
    report.lastSeq = await lastSeq();

    const userOf = clients.map((client) => client.identity?.user_id);
    clients.forEach((client, c) => {
      const userId = client.identity?.user_id;
      if (userId) users[c].add(userId);
      // P1: the identity survives reconnects, restarts and reloads.
      if (users[c].size !== 1) problems.push(`client ${c} had ${users[c].size} identities: ${[...users[c]].join(', ')}`);
    });
    const rowsByClientId = new Map<string, typeof rows>();
    for (const row of rows) {
      if (row.client_id === null || !enqueued.has(row.client_id)) {
        problems.push(`unexpected row seq ${row.seq} (client_id ${row.client_id}): nobody enqueued it`);
        continue;
      }
      const list = rowsByClientId.get(row.client_id) ?? [];
      list.push(row);
      rowsByClientId.set(row.client_id, list);
    }
    for (const [clientId, { client, content, roomId }] of enqueued) {
      const stored = rowsByClientId.get(clientId) ?? [];
      // X4: deleted by its author before it left the device, so never sent: absent, as it should be (message-actions-check.ts checks it).
      if (actionRun?.withdrawn(client, clientId)) {
        if (stored.length === 0) report.withdrawn++;
        continue;
      }
      if (stored.length === 0) {
        // M3, M4: refused, not lost, only when the server said the room is not
        // the author's (the row failed with unknown_room) and the author was
        // indeed removed from it or left it during the run.
        const row = outboxes[client].get(clientId);
        if (options.rooms && row?.status === 'failed' && row.error_code === 'unknown_room' && departed[client].has(roomId)) {
          report.refused++;
          continue;
        }
        report.lost++;
        if (row?.status === 'failed') problems.push(`${clientId} of client ${client} failed with ${row.error_code} in ${roomId}${departed[client].has(roomId) ? '' : ', a room it never left'}`);
        if (report.lost <= 20) problems.push(`lost: ${clientId} of client ${client} (${JSON.stringify(content.slice(0, 40))})`);
        continue;
      }
      if (stored.length > 1) {
        report.duplicated += stored.length - 1;
        problems.push(`duplicated: ${clientId} stored ${stored.length} times (seqs ${stored.map((r) => r.seq).join(', ')})`);
      }
      for (const row of stored) {
        if (row.room_id !== roomId) problems.push(`${clientId} stored in ${row.room_id}, sent to ${roomId}`);
        if (row.user_id !== userOf[client]) problems.push(`${clientId} stored for user ${row.user_id}, sent by ${userOf[client]}`);
        // With message actions, the words its author gave it last ('' once deleted); in a group the author left, an edit may have been refused.
        const expected = actionRun?.expectedContent(client, clientId) ?? content;
        if (row.content !== expected && !(actionRun && departed[client].has(roomId))) {
          problems.push(`${clientId} stored with different content (${JSON.stringify(row.content.slice(0, 40))}, expected ${JSON.stringify(expected.slice(0, 40))})`);
        }
      }
    }
    if (report.lost > 20) problems.push(`… ${report.lost} lost in all`);
    // By (user_id, client_id), as S3 states it.
    const { rows: twice } = await db.pool.query<{ user_id: string; client_id: string; n: number }>(
      `SELECT user_id::text AS user_id, client_id, count(*)::int AS n FROM messages
        WHERE client_id IS NOT NULL GROUP BY user_id, client_id HAVING count(*) > 1`,
    );
    for (const row of twice) problems.push(`(user_id, client_id) ${row.user_id}/${row.client_id} stored ${row.n} times`);

    // S2: seqs 1..N without gaps, and the room's counter agrees.
    if (!logMode) {
      rows.forEach((row, i) => {
        if (row.seq !== i + 1) problems.push(`seq gap: position ${i + 1} holds seq ${row.seq}`);
      });
      if (report.lastSeq !== rows.length) problems.push(`rooms.last_seq ${report.lastSeq} but ${rows.length} rows`);
    }
    // E1: with rooms, per room, messages ∪ room_events hold seqs 1..last_seq, each once.
    const { rows: eventRows } = await db.pool.query<{ id: string; room_id: string; seq: number; user_id: string; client_id: string | null; kind: string; data: { action?: string; user_ids?: string[] } }>(
      'SELECT id, room_id, seq::int AS seq, user_id::text AS user_id, client_id, kind, data FROM room_events ORDER BY room_id, seq',
    );
    report.roomEvents = eventRows.length;
    /** `room/seq` of every entry that changes a message (E2): devices hold no copy of those. */
    const messageEventSeqs = new Set(eventRows.filter((e) => MESSAGE_EVENT_KINDS.has(e.kind)).map((e) => `${e.room_id}/${e.seq}`));
    /** Per room: seq → id of the entry (message or event). */
    const entriesOf = new Map<string, Map<number, string>>();
    const { rows: allRooms } = await db.pool.query<{ id: string; last_seq: number; deleted: boolean }>(
      'SELECT id, last_seq::int AS last_seq, deleted_at IS NOT NULL AS deleted FROM rooms',
    );
    if (logMode) {
      for (const room of allRooms) entriesOf.set(room.id, new Map());
      for (const entry of [...rows, ...eventRows]) {
        const entries = entriesOf.get(entry.room_id);
        if (!entries) problems.push(`entry ${entry.id} in room ${entry.room_id}, which has no rooms row`);
        else if (entries.has(entry.seq)) problems.push(`room ${entry.room_id}: seq ${entry.seq} held twice (${entries.get(entry.seq)}, ${entry.id})`);
        else entries.set(entry.seq, entry.id);
      }
      for (const room of allRooms) {
        const entries = entriesOf.get(room.id)!;
        const missing = [];
        for (let seq = 1; seq <= room.last_seq; seq++) if (!entries.has(seq)) missing.push(seq);
        if (missing.length > 0) problems.push(`room ${room.id}: seq gap, ${missing.slice(0, 10).join(', ')} missing of 1..${room.last_seq}`);
        if (entries.size !== room.last_seq) problems.push(`room ${room.id}: last_seq ${room.last_seq} but ${entries.size} entries`);
      }
      if (report.groups !== allRooms.filter((room) => room.id !== ROOM).length) problems.push(`${report.groups} groups created but ${allRooms.length - 1} rooms besides general`);
    }
    const { rows: appliedOps } = await db.pool.query<{ user_id: string; client_id: string; entry_id: string; seq: number }>(
      'SELECT user_id::text AS user_id, client_id, entry_id, seq::int AS seq FROM applied_ops',
    );
    const appliedOp = new Map(appliedOps.map((op) => [`${op.user_id}/${op.client_id}`, op]));

    // Nothing acked is lost: every ack's id and seq is the stored row's.
    const byId = new Map(rows.map((row) => [row.id, row]));
    let acked = 0;
    for (const conflict of ackConflicts) problems.push(`acked twice differently: ${conflict}`);
    clients.forEach((client, c) => {
      for (const [clientId, { id, seq }] of acks[c]) {
        acked++;
        const row = byId.get(id);
        const op = logMode && !enqueued.has(clientId) ? appliedOp.get(`${userOf[c]}/${clientId}`) : undefined;
        if (op) {
          // An op's ack (P11) names the entry its first application recorded (E3).
          if (op.entry_id !== id || op.seq !== seq) problems.push(`client ${c}: op ${clientId} acked as ${id}/${seq} but applied as ${op.entry_id}/${op.seq}`);
        } else if (!row) problems.push(`client ${c} saw ${clientId} acked as ${id}, which is not stored`);
        else if (row.seq !== seq || row.client_id !== clientId || row.user_id !== userOf[c]) {
          problems.push(`client ${c}: ack ${clientId} → ${id}/${seq} but the row is ${row.client_id}/${row.seq} of ${row.user_id}`);
        }
      }
    });
    for (const client of [...clients, ...retired]) {
      for (const error of client.errors) problems.push(`${client.name} engine error: ${String(error)}`);
    }
    if (acked === 0) problems.push('no client saw a single ack: the run proved nothing');

    // Every client ends with the database's sequence.
    const ids = rows.filter((row) => row.room_id === ROOM).map((row) => row.id);
    if (logMode) await checkRooms();
    if (actionRun) {
      const { roomsOf } = await roomTruth();
      await actionRun.check({
        pool: db.pool,
        clients,
        userIdOf,
        roomsOf,
        departed,
        acks,
        enqueuedContent: (c, clientId) => {
          const item = enqueued.get(clientId);
          return item?.client === c ? item.content : undefined;
        },
        problems,
      });
      if (report.withdrawn !== report.messageActions.withdrawn) problems.push(`${report.messageActions.withdrawn} messages deleted before they left, but ${report.withdrawn} absent from the database as such`);
    }
    for (const [c, client] of clients.entries()) {
      const view = (await client.view()).map((m) => m.id);
      if (view.length !== ids.length || view.some((id, i) => id !== ids[i])) {
        const at = view.findIndex((id, i) => id !== ids[i]);
        problems.push(`client ${c} view differs from the database: ${view.length} vs ${ids.length} messages, first difference at index ${at === -1 ? Math.min(view.length, ids.length) : at}`);
      }
    }
    for (const error of engineErrors) problems.push(`engine: ${error}`);

    report.connections = [...clients, ...retired].reduce((sum, client) => sum + client.connections(), 0);
    report.itemsWritten = socketStats.itemsWritten - socketsAtStart.itemsWritten;
    if (problems.length > 0) problems.push(`server output (last lines):\n${serversTail()}`);
    return report;
  } finally {
    console.error = consoleError;
    for (const timer of timers) clearTimeout(timer);
    report.durationMs = Date.now() - startedAt;
    await Promise.all(pages.map((page) => page?.close().catch(() => undefined)));
    await Promise.all(clients.map((client) => client.stop({ deleteDatabase: true }).catch(() => undefined)));
    await proxy?.close().catch(() => undefined);
    await Promise.all(servers.map((server) => server.stop().catch(() => server.killNow())));
    process.off('exit', killOnExit);
    await db?.drop().catch(() => undefined);
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true }).catch(() => undefined)));
  }
}

export function formatReport(report: ChaosReport): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `R1 chaos (seed ${report.seed}): ${report.clients} clients, ${report.messages} messages enqueued, ${report.stored} stored (last seq ${report.lastSeq})`,
    `  faults: ${report.cuts} cuts (${report.networkDeaths} right after a dropped frame), ${report.stalls} database stalls, ${report.silences} silences, ` +
      (report.heartbeatSilences > 0
        ? `${report.heartbeatSilences} heartbeat silence (${report.heartbeatTimeouts} sockets given up by heartbeat, ` +
          `${report.liveAtHeartbeatSilence} clients were live), `
        : '') +
      `${report.kills} kill -9, ${report.reloads} reloads;\n` +
      `  dropped: ${report.ackFramesDropped} acks, ${report.messageFramesDropped} broadcasts or catch-up pages (then the network died), ` +
      `${report.liveFramesDropped} broadcasts on connections that lived on`,
    `  traffic: ${report.connections} sockets opened, ${report.itemsWritten} message items written (${report.itemsWritten - report.messages} resends)`,
    `  time: ${seconds(report.durationMs)} in all, ${seconds(report.sendPhaseMs)} sending under faults, ${seconds(report.settleMs)} to converge${report.settled ? '' : ' (NOT CONVERGED)'}`,
    ...(report.groups > 0
      ? [
          `  rooms: ${report.groups} groups created, ${report.membershipChanges} membership changes under faults and ${report.quietChanges} without, ` +
            `${report.roomEvents} room events, ${report.refused} messages refused (author removed or gone)`,
        ]
      : []),
    ...(report.messageActions.edits + report.messageActions.deletes + report.messageActions.reactions > 0 ? [formatActionCounts(report.messageActions)] : []),
    `  lost ${report.lost}, duplicated ${report.duplicated}${report.withdrawn > 0 ? `, withdrawn ${report.withdrawn} (deleted before they left)` : ''}, problems ${report.problems.length}`,
    ...report.problems.map((problem) => `  ! ${problem}`),
  ].join('\n');
}
