/**
 * The REAL client sync engine running in Node, one instance per simulated
 * user (R1 chaos, benchmarks): its own Dexie database on fake-indexeddb, the
 * real chat store (client/src/shared/sync/chat-store.ts) and the real XState
 * connection machine with the real socket actor, wired exactly as
 * client/src/shared/sync/sync-engine.ts wires them in the browser, minus
 * window and document (no online/offline or visibility events: see
 * setOnline()).
 *
 * Loading: the client code imports '@whisper/protocol' and uses
 * extension-less relative imports (Vite style). Under vitest the project's
 * resolve.alias handles the former (see the 'chaos' project in
 * vitest.config.ts). For a plain `node --import tsx` script, run it with
 * `TSX_TSCONFIG_PATH=client/tsconfig.json`, whose `paths` map the alias.
 *
 * The client modules are imported with computed specifiers on purpose: the
 * root tsconfig (NodeNext, `npm run typecheck`) covers tests/ but cannot
 * compile client sources (they are checked by client/tsconfig.json), so this
 * file must not pull them into that program. The few shapes used here are
 * declared below, structurally.
 */
// Order matters: IndexedDB must exist before Dexie is evaluated anywhere.
import 'fake-indexeddb/auto';
import { liveQuery, type Subscription, type Table } from 'dexie';
import WS from 'ws';
import { createActor, fromCallback, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { CHAT_WS_PATH, DEFAULT_ROOM_ID, type AckFrame, type ChatMessage, type HistoryResponse } from '../../server/protocol.js';

// ---------------------------------------------------------------------------
// The client modules, as far as this file uses them.

export type OutboxStatus = 'pending' | 'sending' | 'failed';

/** client/src/shared/db/whisper-db.ts OutboxItem */
export interface OutboxItem {
  client_id: string;
  user_id: string | null;
  room_id: string;
  content: string;
  created_at: string;
  status: OutboxStatus;
  attempts: number;
  sent_at: number | null;
  sent_on: string | null;
  error_code: string | null;
  error_message: string | null;
}

export interface Identity {
  user_id: string;
  token: string;
}

interface WhisperDatabaseLike {
  messages: Table<ChatMessage, string>;
  outbox: Table<OutboxItem, string>;
  close(): void;
  delete(): Promise<void>;
}

/** client/src/shared/sync/chat-store.ts ChatStore (the members used here). */
interface ChatStoreLike {
  enqueue(roomId: string, content: string): Promise<OutboxItem>;
  applyAck(ack: AckFrame): Promise<void>;
  unsentCount(): Promise<number>;
  [member: string]: unknown;
}

interface ClientModules {
  WhisperDatabase: new (name?: string) => WhisperDatabaseLike;
  createChatStore(db: WhisperDatabaseLike): ChatStoreLike;
  connectionMachine: AnyStateMachine;
  fetchHistory(origin: string, query: { roomId: string }): Promise<HistoryResponse>;
}

const CLIENT_SHARED = '../../client/src/shared/';
let modules: Promise<ClientModules> | undefined;

function loadClientModules(): Promise<ClientModules> {
  // A computed specifier: see the header comment.
  const load = (file: string) => import(/* @vite-ignore */ `${CLIENT_SHARED}${file}`);
  modules ??= Promise.all([
    load('db/whisper-db'),
    load('sync/chat-store'),
    load('sync/connection.machine'),
    load('sync/chat-api'),
  ]).then(([db, store, machine, api]) => ({
    WhisperDatabase: db.WhisperDatabase,
    createChatStore: store.createChatStore,
    connectionMachine: machine.connectionMachine,
    fetchHistory: api.fetchHistory,
  }));
  return modules;
}

// ---------------------------------------------------------------------------
// A browser-like WebSocket for Node.

/** Counters over every socket the node clients of this process opened. */
export const socketStats = {
  opened: 0,
  /** Message items written to sockets, resends included. */
  itemsWritten: 0,
  framesWritten: 0,
};

/**
 * `ws` behaves like the browser's WebSocket for everything the socket actor
 * uses (onopen/onmessage/onclose, readyState, the static state constants,
 * text frames as strings), except one thing: it is an EventEmitter, so an
 * 'error' with no listener (close() while still connecting) would throw,
 * where a browser merely fires an event. A no-op listener makes it behave.
 */
class NodeWebSocket extends WS {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols);
    socketStats.opened++;
    this.on('error', () => undefined);
  }

  override send(data: unknown, ...rest: unknown[]): void {
    socketStats.framesWritten++;
    if (typeof data === 'string' && data.startsWith('{"type":"messages"')) {
      // Counted without parsing (this runs inside measured flushes): each
      // item is serialized as {"client_id":…, and content cannot contain
      // that unescaped.
      socketStats.itemsWritten += data.split('{"client_id":').length - 1;
    }
    (WS.prototype.send as (...args: unknown[]) => void).call(this, data, ...rest);
  }
}

function installWebSocket(): void {
  const global = globalThis as { WebSocket?: unknown };
  if (global.WebSocket !== NodeWebSocket) global.WebSocket = NodeWebSocket;
}

// ---------------------------------------------------------------------------

export interface NodeClientOptions {
  /** http://host:port of the server, or of a proxy in front of it. */
  origin: string;
  /** IndexedDB database name: one per simulated device. */
  name: string;
  roomId?: string;
  /** Start the connection machine at once (default). With false, call start(); send() works before. */
  autoStart?: boolean;
  /** Every ack frame (P3) the machine receives, before the store applies it. */
  onAck?: (ack: AckFrame) => void;
  /** Each change of phase(), with the machine's event that caused it (debugging). */
  onPhase?: (phase: NodePhase, event: string) => void;
}

export interface AckRecord {
  id: string;
  seq: number;
}

export type NodePhase = 'live' | 'syncing' | 'connecting' | 'offline' | 'stopped';

export interface NodeClient {
  readonly name: string;
  readonly roomId: string;
  /** From the last hello (P1); undefined before the first. */
  readonly identity: Identity | undefined;
  /** client_id → server id and seq, for every own message this client saw acked (P3). */
  readonly acks: ReadonlyMap<string, AckRecord>;
  /** A client_id acked twice with different ids or seqs (S3 says never). */
  readonly ackConflicts: readonly string[];
  /** Errors of the connection machine (an errored actor is a wedged client). */
  readonly errors: readonly unknown[];
  /** C1: the real store.enqueue; the outbox wake-up sends it. */
  send(content: string): Promise<OutboxItem>;
  /** Every outbox row (pending, sending or failed), in enqueue order. */
  unsent(): Promise<OutboxItem[]>;
  /** The client's cached messages of its room, in seq order. */
  view(): Promise<ChatMessage[]>;
  /**
   * 'live', 'syncing' (connected, catching up: P6), 'connecting', 'offline'
   * (also while waiting to retry), or 'stopped'.
   */
  phase(): NodePhase;
  /** The P6 cursor in the machine's context. */
  syncedSeq(): number;
  /** Sockets opened so far (each entry to the machine's `online` state). */
  connections(): number;
  waitUntilLive(timeoutMs?: number): Promise<void>;
  /** The browser's online/offline events: navigator.onLine and ONLINE/OFFLINE. */
  setOnline(online: boolean): void;
  start(): void;
  /** Stops the engine and closes its database; `deleteDatabase` removes it too. */
  stop(options?: { deleteDatabase?: boolean }): Promise<void>;
}

export async function createNodeClient(options: NodeClientOptions): Promise<NodeClient> {
  installWebSocket();
  const { WhisperDatabase, createChatStore, connectionMachine, fetchHistory } = await loadClientModules();
  const roomId = options.roomId ?? DEFAULT_ROOM_ID;
  const db = new WhisperDatabase(options.name);
  const store = createChatStore(db);

  const acks = new Map<string, AckRecord>();
  const ackConflicts: string[] = [];
  const errors: unknown[] = [];
  const recordAck = (ack: AckFrame) => {
    ack.client_ids.forEach((clientId, i) => {
      if (clientId === null) return;
      const record = { id: ack.message_ids[i], seq: ack.seqs[i] };
      const previous = acks.get(clientId);
      if (previous && (previous.id !== record.id || previous.seq !== record.seq)) {
        ackConflicts.push(`${clientId}: ${previous.id}/${previous.seq} then ${record.id}/${record.seq}`);
      }
      acks.set(clientId, record);
    });
    options.onAck?.(ack);
  };
  const observedStore: ChatStoreLike = {
    ...store,
    applyAck: (ack: AckFrame) => {
      recordAck(ack);
      return store.applyAck(ack);
    },
  };

  let online = true;
  // C7 locks are per browser; all simulated devices share this process, so
  // where Node has Web Locks each one must lead on its own.
  const hasWebLocks = Boolean((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks);
  const machine = hasWebLocks
    ? connectionMachine.provide({
        actors: { flushLock: fromCallback(({ sendBack }) => sendBack({ type: 'LOCK.ACQUIRED' })) },
      })
    : connectionMachine;
  const origin = options.origin.replace(/\/$/, '');
  const connection: AnyActorRef = createActor(machine, {
    input: {
      roomId,
      deps: {
        store: observedStore,
        fetchLatest: (room: string) => fetchHistory(origin, { roomId: room }),
        socketUrl: `${origin.replace(/^http/, 'ws')}${CHAT_WS_PATH}`,
        isOnline: () => online,
        now: () => Date.now(),
        random: () => Math.random(),
      },
    },
  });
  connection.subscribe({ error: (error: unknown) => errors.push(error) });

  // As sync-engine.ts: any new pending row wakes the flusher.
  let pending: Subscription | undefined;
  let started = false;
  let stopped = false;
  const start = () => {
    if (started) return;
    started = true;
    pending = liveQuery(() => db.outbox.where('status').equals('pending').count()).subscribe({
      next: (count) => {
        if (count > 0) connection.send({ type: 'OUTBOX.CHANGED' });
      },
      error: (error: unknown) => errors.push(error),
    });
    connection.start();
  };

  const snapshot = () => connection.getSnapshot() as {
    status: string;
    hasTag(tag: string): boolean;
    matches(value: unknown): boolean;
    context: { identity: Identity | undefined; syncedSeq: number; socketCount: number };
  };
  const phase = (): NodePhase => {
    if (!started || stopped) return 'stopped';
    const state = snapshot();
    if (state.status !== 'active') return 'stopped';
    if (state.hasTag('live')) return 'live';
    if (state.matches({ link: { online: { connected: { phase: 'syncing' } } } })) return 'syncing';
    if (state.hasTag('connecting')) return 'connecting';
    return 'offline';
  };

  const client: NodeClient = {
    name: options.name,
    roomId,
    get identity() {
      return started ? snapshot().context.identity : undefined;
    },
    acks,
    ackConflicts,
    errors,
    send: (content) => store.enqueue(roomId, content),
    unsent: () => db.outbox.orderBy('client_id').toArray(),
    view: () => db.messages.where('[room_id+seq]').between([roomId, -Infinity], [roomId, Infinity]).toArray(),
    phase,
    syncedSeq: () => (started ? snapshot().context.syncedSeq : 0),
    connections: () => (started ? snapshot().context.socketCount : 0),
    waitUntilLive(timeoutMs = 30_000) {
      if (phase() === 'live') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          subscription.unsubscribe();
          reject(new Error(`${options.name} not live after ${timeoutMs} ms (phase: ${phase()})`));
        }, timeoutMs);
        const subscription = connection.subscribe(() => {
          if (phase() !== 'live') return;
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve();
        });
      });
    },
    setOnline(value) {
      online = value;
      if (started && !stopped) connection.send({ type: value ? 'ONLINE' : 'OFFLINE' });
    },
    start,
    async stop({ deleteDatabase = false } = {}) {
      if (stopped) return;
      stopped = true;
      pending?.unsubscribe();
      connection.stop();
      // Let writes already queued by the machine finish before closing.
      await new Promise((resolve) => setTimeout(resolve, 20));
      db.close();
      if (deleteDatabase) await db.delete();
    },
  };
  if (options.onPhase) {
    let last: NodePhase = 'stopped';
    let lastEvent = '';
    connection.system.inspect((event: { type: string; actorRef?: unknown; event?: { type?: string; code?: number } }) => {
      if (event.type === '@xstate.event' && event.actorRef === connection && event.event?.type) lastEvent = event.event.type + (event.event.code ? `(${event.event.code})` : '');
    });
    connection.subscribe(() => {
      const now = phase();
      if (now !== last) options.onPhase!((last = now), lastEvent);
    });
  }
  if (options.autoStart ?? true) start();
  return client;
}
