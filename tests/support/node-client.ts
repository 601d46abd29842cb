/**
 * The REAL client sync engine running in Node, one instance per simulated
 * user (R1 chaos, benchmarks): its own Dexie database on fake-indexeddb, the
 * real chat store (client/src/shared/sync/chat-store.ts), the real room
 * actions (room-actions.ts: the same ops the app queues) and the real XState
 * connection machine with the real socket actor, wired exactly as
 * client/src/shared/sync/connection-runtime.ts wires them in the browser's
 * connection worker, minus the page's online/offline and visibility events
 * (see setOnline()) and minus the people lookup (names are not needed here).
 * The engine is room-agnostic (M5: one round of catch-up for every room);
 * `roomId` is only the default room of send(), view() and syncedSeq().
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
import { CHAT_WS_PATH, DEFAULT_ROOM_ID, type AckFrame, type ChatMessage, type LogEvent, type Op, type Room } from '../../server/protocol/index.js';

// ---------------------------------------------------------------------------
// The client modules, as far as this file uses them.

export type OutboxStatus = 'pending' | 'sending' | 'failed';

/** client/src/shared/db/whisper-db.ts OutboxItem */
export interface OutboxItem {
  client_id: string;
  /** 'op' rows carry `op` (P11: the op without its client_id); absent on old rows: a message. */
  kind?: 'message' | 'op';
  op?: Omit<Op, 'client_id'>;
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
  events: Table<LogEvent, string>;
  rooms: Table<Room, string>;
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

/** client/src/shared/sync/room-actions.ts RoomActions (the members used here). */
interface RoomActionsLike {
  createRoom(input: { kind: 'group' | 'public'; name: string; userIds: string[] }): Promise<string>;
  addMembers(roomId: string, userIds: string[]): Promise<void>;
  leaveRoom(roomId: string): Promise<void>;
  joinRoom(roomId: string): Promise<void>;
  openDm(userId: string): Promise<string>;
  removeMember(roomId: string, userId: string): Promise<void>;
}

interface ClientModules {
  WhisperDatabase: new (name?: string) => WhisperDatabaseLike;
  createChatStore(db: WhisperDatabaseLike): ChatStoreLike;
  createRoomActions(store: ChatStoreLike): RoomActionsLike;
  connectionMachine: AnyStateMachine;
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
    load('sync/room-actions'),
  ]).then(([db, store, machine, actions]) => ({
    WhisperDatabase: db.WhisperDatabase,
    createChatStore: store.createChatStore,
    createRoomActions: actions.createRoomActions,
    connectionMachine: machine.connectionMachine,
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
  /**
   * Sockets with a catch-up under way (P6, M5): a `sync` sent and not every
   * room of it answered by `synced` yet. Catch-ups also run while a client
   * is live (a gap, a room it was added to), so a fault model that drops
   * frames only outside catch-ups needs this, not the client's phase.
   */
  catchingUp: 0,
};

/**
 * `ws` behaves like the browser's WebSocket for everything the socket actor
 * uses (onopen/onmessage/onclose, readyState, the static state constants,
 * text frames as strings), except one thing: it is an EventEmitter, so an
 * 'error' with no listener (close() while still connecting) would throw,
 * where a browser merely fires an event. A no-op listener makes it behave.
 */
class NodeWebSocket extends WS {
  /** Rooms of this socket's catch-ups still to be answered; a round (many rooms) counts its rooms once the `rooms` frame names them. */
  private awaitingRooms = 0;
  private roundsOpen = 0;
  private catching = false;

  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols);
    socketStats.opened++;
    this.on('error', () => undefined);
    this.on('message', (data: unknown) => {
      if (!this.catching) return;
      const text = String(data);
      if (text.startsWith('{"type":"synced"')) this.awaitingRooms--;
      else if (text.startsWith('{"type":"rooms"') && this.roundsOpen > 0) {
        this.roundsOpen--;
        this.awaitingRooms += (JSON.parse(text) as { data: unknown[] }).data.length;
      } else if (text.startsWith('{"type":"error"') && text.includes('"unknown_room"')) this.awaitingRooms--;
      this.noteCatchUp();
    });
    this.on('close', () => {
      this.awaitingRooms = 0;
      this.roundsOpen = 0;
      this.noteCatchUp();
    });
  }

  private noteCatchUp(): void {
    const catching = this.roundsOpen > 0 || this.awaitingRooms > 0;
    if (catching !== this.catching) socketStats.catchingUp += catching ? 1 : -1;
    this.catching = catching;
  }

  override send(data: unknown, ...rest: unknown[]): void {
    socketStats.framesWritten++;
    if (typeof data === 'string' && data.startsWith('{"type":"sync"')) {
      if ((JSON.parse(data) as { rooms?: unknown }).rooms) this.roundsOpen++;
      else this.awaitingRooms++;
      this.noteCatchUp();
    }
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
  /** The default room of send(), view() and syncedSeq() (general). */
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
  send(content: string, roomId?: string): Promise<OutboxItem>;
  /** P11, M2: a new room, its id minted here; queued like a message. */
  createRoom(input: { kind: 'group' | 'public'; name: string; userIds: string[] }): Promise<string>;
  addMembers(roomId: string, userIds: string[]): Promise<void>;
  /** Adds this client's identity to a public room (needs an identity: after the first hello). */
  joinRoom(roomId: string): Promise<void>;
  leaveRoom(roomId: string): Promise<void>;
  /** P11: the owner removes someone (member.remove naming another person). */
  removeMember(roomId: string, userId: string): Promise<void>;
  /** M2: the DM's id (the same on both sides); needs an identity. */
  openDm(userId: string): Promise<string>;
  /** Every outbox row (messages and ops, pending, sending or failed), in enqueue order. */
  unsent(): Promise<OutboxItem[]>;
  /** The client's cached messages of a room, in seq order. */
  view(roomId?: string): Promise<ChatMessage[]>;
  /** The client's cached events of a room (E2), in seq order. */
  events(roomId: string): Promise<LogEvent[]>;
  /** The rooms the client has (the server's state as it last heard it, M6). */
  rooms(): Promise<Room[]>;
  /**
   * 'live', 'syncing' (connected, catching up: P6), 'connecting', 'offline'
   * (also while waiting to retry), or 'stopped'.
   */
  phase(): NodePhase;
  /** A room's P6 cursor in the machine's context (0 when it follows none). */
  syncedSeq(roomId?: string): number;
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
  const { WhisperDatabase, createChatStore, createRoomActions, connectionMachine } = await loadClientModules();
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
  const actions = createRoomActions(store);
  const connection: AnyActorRef = createActor(machine, {
    input: {
      deps: {
        store: observedStore,
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
    context: { identity: Identity | undefined; cursors: Record<string, number>; socketCount: number };
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
    send: (content, room = roomId) => store.enqueue(room, content),
    createRoom: (input) => actions.createRoom(input),
    addMembers: (room, userIds) => actions.addMembers(room, userIds),
    joinRoom: (room) => actions.joinRoom(room),
    leaveRoom: (room) => actions.leaveRoom(room),
    removeMember: (room, userId) => actions.removeMember(room, userId),
    openDm: (userId) => actions.openDm(userId),
    unsent: () => db.outbox.orderBy('client_id').toArray(),
    view: (room = roomId) => db.messages.where('[room_id+seq]').between([room, -Infinity], [room, Infinity]).toArray(),
    events: (room) => db.events.where('[room_id+seq]').between([room, -Infinity], [room, Infinity]).toArray(),
    rooms: () => db.rooms.toArray(),
    phase,
    syncedSeq: (room = roomId) => (started ? (snapshot().context.cursors[room] ?? 0) : 0),
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
