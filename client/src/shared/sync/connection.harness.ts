import { ulid } from 'ulid';
import { afterEach, beforeEach, vi } from 'vitest';
import { createActor, fromCallback, type Actor } from 'xstate';
import { RoomKind, type ChatMessage, type ClientFrame, type MemberEvent, type RoomEvent, type Op, type Room, type ServerFrame, type User } from '@whisper/protocol';
import { WhisperDatabase } from '../db/whisper-db';
import { createChatStore, type ChatStore } from './chat-store';
import { connectionMachine, type ConnectionDeps, type ConnectionEvent } from './connection.machine';
import type { SocketCommand, SocketEvent, SocketInput } from './socket.actor';

/**
 * Test fixture for the connection machine: the real machine and store on
 * fake IndexedDB, with the socket and the outbox lock replaced by fakes
 * (.provide()) and the clock faked; the test plays the server.
 */

export const ME = '11111111-1111-4111-8111-111111111111';
export const OTHER = '22222222-2222-4222-8222-222222222222';
export const THIRD = '33333333-3333-4333-8333-333333333333';
export const GENERAL = 'general';

/** One fake socket per connection attempt. */
export interface FakeSocket {
  url: string;
  /** The subprotocols offered: `whisper`, and the token when there is one. */
  protocols: string[];
  sent: ClientFrame[];
  stopped: boolean;
  /** A live server answers pings; a dead network does not. */
  silent: boolean;
  emit(event: SocketEvent): void;
  serve(frame: ServerFrame): void;
}

export interface LiveOptions {
  /** The `rooms` frame's rooms (default: general alone). */
  rooms?: Room[];
  users?: User[];
  /** The seq each room's `synced` names (default: its cursor, or the room's last_seq for a room the round did not name). */
  seqs?: Record<string, number>;
  userId?: string;
}

export interface Harness {
  actor: Actor<typeof connectionMachine>;
  sockets: FakeSocket[];
  store: ChatStore;
  db: WhisperDatabase;
  online: { value: boolean };
  latest(): FakeSocket;
  /** Hello, then the round answered (rooms frame, one synced per room): the machine reaches live. */
  goLive(options?: LiveOptions, socket?: FakeSocket): Promise<void>;
}

export interface HarnessOptions {
  random?: number;
  /** L2: what the machine passes on of others' typing. */
  onTyping?: ConnectionDeps['onTyping'];
  /** L1: what the machine passes on of presence frames. */
  onPresence?: ConnectionDeps['onPresence'];
  leader?: boolean;
  db?: WhisperDatabase;
  /** F2: the uploads the machine runs while live. */
  uploads?: ConnectionDeps['uploads'];
}

/** A room as the server describes it (M6), with sensible defaults. */
export function room(id: string, fields: Partial<Room> = {}): Room {
  const at = new Date(0).toISOString();
  return { id, name: id, kind: RoomKind.Public, owner_id: null, members: [], member_count: 0, last_seq: 0, last_activity_at: at, last_message: null, created_at: at, ...fields };
}

export function message(roomId: string, seq: number, userId = OTHER, clientId: string | null = null): ChatMessage {
  return { id: ulid(), seq, room_id: roomId, user_id: userId, client_id: clientId, content: `${roomId} #${seq}`, created_at: new Date(Date.UTC(2026, 10, 21, 12, seq)).toISOString() };
}

export function memberEvent(roomId: string, seq: number, action: 'joined' | 'left' | 'added' | 'removed', userIds: string[], by = OTHER, clientId: string | null = null): MemberEvent {
  return { id: ulid(), seq, room_id: roomId, user_id: by, client_id: clientId, created_at: new Date(Date.UTC(2026, 10, 21, 13, seq)).toISOString(), kind: 'member', action, user_ids: userIds };
}

export function roomEvent(roomId: string, seq: number, fields: { name?: string; deleted?: true; created?: RoomKind }, by = OTHER, clientId: string | null = null): RoomEvent {
  return { id: ulid(), seq, room_id: roomId, user_id: by, client_id: clientId, created_at: new Date(Date.UTC(2026, 10, 21, 13, seq)).toISOString(), kind: 'room', ...fields };
}

/** Lets Dexie (fake-indexeddb steps on the real setImmediate) and promise actors run, without moving the faked clock. */
export async function settle(rounds = 300) {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(0);
  }
}

/** Settles until `done` holds: a thousand-row outbox takes fake-indexeddb many steps. */
export async function settleUntil(done: () => boolean, what: string) {
  for (let i = 0; i < 20 && !done(); i++) await settle();
  if (!done()) throw new Error(`never happened: ${what}`);
}

/** Moves the clock in small steps, letting IndexedDB work finish at each. */
export async function elapse(ms: number, step = 500) {
  for (let done = 0; done < ms; done += step) {
    await vi.advanceTimersByTimeAsync(Math.min(step, ms - done));
    await settle();
  }
}

/** Moves the clock to the scheduled reconnect. */
export async function untilRetry(h: Harness) {
  const { retryAt } = h.actor.getSnapshot().context;
  if (retryAt === null) throw new Error('no retry scheduled');
  await vi.advanceTimersByTimeAsync(retryAt - Date.now());
  await settle();
}

export function messagesSent(socket: FakeSocket) {
  return socket.sent.flatMap((frame) => (frame.type === 'messages' ? frame.data : []));
}
export function opsSent(socket: FakeSocket): Op[] {
  return socket.sent.flatMap((frame) => (frame.type === 'ops' ? frame.data : []));
}
/** The `sync {rooms}` rounds a socket sent (M5), each by room id (the order of rooms in a round means nothing). */
export function roundsSent(socket: FakeSocket) {
  return socket.sent.flatMap((frame) => (frame.type === 'sync' && 'rooms' in frame ? [[...frame.rooms].sort((a, b) => a.room_id.localeCompare(b.room_id))] : []));
}
/** The single-room catch-ups a socket sent (P6). */
export function roomSyncsSent(socket: FakeSocket) {
  return socket.sent.flatMap((frame) => (frame.type === 'sync' && 'room_id' in frame ? [{ room_id: frame.room_id, after_seq: frame.after_seq }] : []));
}

let harnesses: Harness[] = [];

/** Fake timers around each test, and every harness stopped and its database deleted after it. */
export function setUpHarnesses() {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(async () => {
    for (const harness of harnesses) {
      harness.actor.stop();
      harness.db.close();
      await harness.db.delete();
    }
    harnesses = [];
    vi.useRealTimers();
  });
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = options.db ?? new WhisperDatabase(`machine-test-${ulid()}`);
  const store = createChatStore(db);
  const sockets: FakeSocket[] = [];
  const online = { value: true };
  const fakeSocket = fromCallback<SocketCommand, SocketInput, SocketEvent>(({ sendBack, receive, input }) => {
    const socket: FakeSocket = {
      url: input.url,
      protocols: input.protocols ?? [],
      sent: [],
      stopped: false,
      silent: false,
      emit: (event) => sendBack(event),
      serve: (frame) => sendBack({ type: `SERVER.${frame.type}`, frame } as SocketEvent),
    };
    sockets.push(socket);
    receive((command) => {
      if (command.type !== 'SEND') return;
      socket.sent.push(command.frame);
      if (command.frame.type === 'ping' && !socket.silent) queueMicrotask(() => socket.serve({ type: 'pong' }));
    });
    return () => {
      socket.stopped = true;
    };
  });
  const fakeLock = fromCallback<{ type: 'noop' }, { name: string }, ConnectionEvent>(({ sendBack }) => {
    if (options.leader !== false) sendBack({ type: 'LOCK.ACQUIRED' });
  });
  const machine = connectionMachine.provide({ actors: { socket: fakeSocket, flushLock: fakeLock } });
  const actor = createActor(machine, {
    input: {
      deps: {
        store,
        socketUrl: 'ws://whisper.test/v1/chat/ws',
        isOnline: () => online.value,
        now: () => Date.now(),
        random: () => options.random ?? 0.5,
        onTyping: options.onTyping,
        onPresence: options.onPresence,
        uploads: options.uploads,
      },
    },
  });
  const harness: Harness = {
    actor,
    sockets,
    store,
    db,
    online,
    latest: () => sockets[sockets.length - 1],
    async goLive({ rooms = [room(GENERAL)], users = [], seqs = {}, userId = ME } = {}, socket = harness.latest()) {
      socket.emit({ type: 'SOCKET.OPEN' });
      socket.serve({ type: 'hello', user_id: userId, token: `token-${sockets.length}`, protocol: 2 });
      await settle();
      const named = new Map(roundsSent(socket).at(-1)?.map((cursor) => [cursor.room_id, cursor.after_seq]));
      if (roundsSent(socket).length === 0) throw new Error('no sync round sent');
      socket.serve({ type: 'rooms', data: rooms, users });
      for (const { id, last_seq } of rooms) {
        const seq = seqs[id] ?? named.get(id) ?? last_seq;
        socket.serve({ type: 'synced', room_id: id, seq, ...(named.has(id) ? {} : { has_older: false }) });
      }
      await settle();
    },
  };
  harnesses.push(harness);
  actor.start();
  await settle();
  return harness;
}
