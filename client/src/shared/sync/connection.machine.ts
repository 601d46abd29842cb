import { assign, enqueueActions, raise, fromCallback, fromPromise, sendTo, setup, type ActorRefFrom } from 'xstate';
import {
  CloseCode,
  type AckFrame,
  type ChatMessage,
  type HelloFrame,
  type RejectedFrame,
  type SyncedFrame,
} from '@whisper/protocol';
import type { Identity, OutboxItem } from '../db/whisper-db';
import { backoffDelay } from './backoff';
import { FLUSH_BATCH_SIZE, type ChatStore, type FlushPlan } from './chat-store';
import { socketActor, type SocketEvent } from './socket.actor';

/** A socket that has not said hello within this time is given up on. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Silence on an open socket for this long makes the client ping (P9). */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** After a ping, this much more silence means the socket is dead (C3): reconnect. */
export const HEARTBEAT_TIMEOUT_MS = 10_000;
/** A message written to a live socket and not acked within this time is resent (C4). */
export const ACK_TIMEOUT_MS = 10_000;
/** How often the live state looks for overdue acks. */
export const ACK_CHECK_INTERVAL_MS = 5_000;
/** Unacked sends over live sockets before a message is shown as failed (C6). */
export const MAX_SEND_ATTEMPTS = 5;
/**
 * Sent items still unacked after this long are marked `sending` in the
 * outbox. Prompt acks make the marks unnecessary (the rows leave the outbox),
 * and marking a long queue is a bulk write that would compete with the flush.
 */
export const MARK_SENDING_DELAY_MS = 250;

export interface ConnectionDeps {
  store: ChatStore;
  /** The newest page of history (P5), for a room this device has never synced. */
  fetchLatest(roomId: string): Promise<{ data: ChatMessage[]; has_more: boolean }>;
  /** ws(s)://host/v1/chat/ws */
  socketUrl: string;
  isOnline(): boolean;
  now(): number;
  random(): number;
}

export interface ConnectionInput {
  deps: ConnectionDeps;
  roomId: string;
}

export interface ConnectionContext {
  deps: ConnectionDeps;
  roomId: string;
  identity: Identity | undefined;
  /** Consecutive failed connection attempts; reset on reaching live. */
  attempt: number;
  /** When the next reconnect is due (ms since epoch), while waiting. */
  retryAt: number | null;
  /** Distinguishes sockets, so a send lost with an old socket is resent (C4). */
  socketId: string | null;
  socketCount: number;
  /** The room is complete locally up to this seq (the P6 cursor). */
  syncedSeq: number;
  /** C7: this tab holds the outbox lock and is the one that sends. */
  isLeader: boolean;
  /** The outbox changed while a flush was being planned or recorded: plan again. */
  outboxDirty: boolean;
  /** The last plan left due items for lack of window room: plan again when an ack frees some. */
  backlog: boolean;
  /** Items of the last flush neither acked nor rejected yet, and not yet marked `sending`. */
  unmarked: OutboxItem[];
}

export type ConnectionEvent =
  | SocketEvent
  | { type: 'ONLINE' }
  | { type: 'OFFLINE' }
  | { type: 'VISIBLE' }
  | { type: 'OUTBOX.CHANGED' }
  | { type: 'LOCK.ACQUIRED' }
  | { type: 'RETRY' };

/**
 * C7: one tab sends the outbox at a time. The actor holds a Web Lock for as
 * long as it runs; whichever tab gets it reports LOCK.ACQUIRED. Where the
 * browser has no Web Locks there is nothing to coordinate with: lead.
 */
export const flushLockActor = fromCallback<{ type: 'noop' }, { name: string }, ConnectionEvent>(({ sendBack, input }) => {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) {
    sendBack({ type: 'LOCK.ACQUIRED' });
    return () => undefined;
  }
  const controller = new AbortController();
  let stopped = false;
  let release: () => void = () => undefined;
  locks
    .request(input.name, { signal: controller.signal }, () => {
      // The lock can be granted after this actor was stopped (the abort
      // came too late): hand it straight back, or no tab could ever flush.
      if (stopped) return Promise.resolve();
      sendBack({ type: 'LOCK.ACQUIRED' });
      return new Promise<void>((resolve) => (release = resolve));
    })
    .catch(() => undefined); // aborted on stop
  return () => {
    stopped = true;
    controller.abort();
    release();
  };
});

/** Highest seq such that every seq up to it is present, starting from `from`. */
function advanceContiguous(from: number, messages: ChatMessage[], roomId: string): { seq: number; gap: boolean } {
  const seqs = messages.filter((m) => m.room_id === roomId).map((m) => m.seq).sort((a, b) => a - b);
  let seq = from;
  let gap = false;
  for (const s of seqs) {
    if (s <= seq) continue;
    if (s === seq + 1) seq = s;
    else gap = true;
  }
  return { seq, gap };
}

function socketUrl(context: ConnectionContext): string {
  const token = context.identity?.token;
  return token ? `${context.deps.socketUrl}?token=${encodeURIComponent(token)}` : context.deps.socketUrl;
}

function toFrames(items: OutboxItem[]) {
  const frames = [];
  for (let i = 0; i < items.length; i += FLUSH_BATCH_SIZE) {
    frames.push({
      type: 'messages' as const,
      data: items.slice(i, i + FLUSH_BATCH_SIZE).map((item) => ({ client_id: item.client_id, room_id: item.room_id, content: item.content })),
    });
  }
  return frames;
}

/** Logs a failed background write instead of leaving an unhandled rejection. */
function background(promise: Promise<unknown>, what: string) {
  promise.catch((error: unknown) => console.error(`whisper: ${what} failed`, error));
}

/**
 * C3: the connection as a state machine. It owns the socket (an invoked
 * actor that lives exactly as long as the `connected` state), catches up
 * (P6) and then flushes the outbox on every entry to live (C4), reconnects
 * with capped, jittered exponential backoff, and treats heartbeat silence
 * as a close.
 */
export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actors: {
    socket: socketActor,
    flushLock: flushLockActor,
    restoreIdentity: fromPromise<Identity | undefined, { deps: ConnectionDeps }>(({ input }) => input.deps.store.getIdentity()),
    /** P6 cursor: the local synced seq, or the newest page first for a room never seen. */
    prepareSync: fromPromise<number, { deps: ConnectionDeps; roomId: string }>(async ({ input: { deps, roomId } }) => {
      const known = await deps.store.syncedSeq(roomId);
      if (known !== undefined) return known;
      const page = await deps.fetchLatest(roomId);
      const newest = page.data.at(-1)?.seq ?? 0;
      await deps.store.storeMessages(page.data, { roomId, syncedSeq: newest });
      await deps.store.setHasOlder(roomId, page.has_more);
      return newest;
    }),
    planFlush: fromPromise<FlushPlan, { deps: ConnectionDeps; socketId: string; userId: string }>(({ input: { deps, socketId, userId } }) =>
      deps.store.planFlush(socketId, userId, deps.now(), ACK_TIMEOUT_MS, MAX_SEND_ATTEMPTS),
    ),
    markSending: fromPromise<void, { deps: ConnectionDeps; items: OutboxItem[] }>(({ input: { deps, items } }) => deps.store.markSending(items)),
  },
  delays: {
    backoff: ({ context }) => Math.max(0, (context.retryAt ?? 0) - context.deps.now()),
    connectTimeout: CONNECT_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    ackCheck: ACK_CHECK_INTERVAL_MS,
    markSendingDelay: MARK_SENDING_DELAY_MS,
  },
  guards: {
    browserOffline: ({ context }) => !context.deps.isOnline(),
    shouldFlush: ({ context }) => context.isLeader,
    dirtyLeader: ({ context }) => context.isLeader && context.outboxDirty,
    allAnswered: ({ context }) => context.unmarked.length === 0,
    tokenRejected: ({ event }) => event.type === 'SOCKET.CLOSED' && event.code === CloseCode.InvalidToken,
  },
  actions: {
    scheduleRetry: assign(({ context }) => ({
      retryAt: context.deps.now() + backoffDelay(context.attempt, context.deps.random()),
      attempt: context.attempt + 1,
    })),
    clearRetry: assign({ retryAt: null }),
    resetAttempts: assign({ attempt: 0 }),
    newSocket: assign(({ context }) => ({
      socketCount: context.socketCount + 1,
      socketId: `${context.deps.now().toString(36)}-${context.socketCount + 1}`,
    })),
    /** P1: keep the identity (and its renewed token) for the next connection. */
    storeIdentity: assign(({ context, event }) => {
      const { user_id, token } = (event as { frame: HelloFrame }).frame;
      background(context.deps.store.setIdentity({ user_id, token }), 'saving identity');
      return { identity: { user_id, token } };
    }),
    /**
     * P1: the server does not know our token (wiped database, changed
     * TOKEN_SECRET): start afresh, leaving the old identity's unsent work
     * unsent rather than sending it under the new one.
     */
    forgetIdentity: assign(({ context }) => {
      background(context.deps.store.retireIdentity(context.identity?.user_id), 'retiring identity');
      return { identity: undefined };
    }),
    setSyncedSeq: assign(({ event }) => ({ syncedSeq: (event as unknown as { output: number }).output })),
    sendSync: sendTo('socket', ({ context }) => ({
      type: 'SEND' as const,
      frame: { type: 'sync' as const, room_id: context.roomId, after_seq: context.syncedSeq },
    })),
    sendPing: sendTo('socket', { type: 'SEND' as const, frame: { type: 'ping' as const } }),
    /** During catch-up: store, and let `synced` move the cursor. */
    storeMessages: ({ context, event }) => {
      const { data } = (event as { frame: { data: ChatMessage[] } }).frame;
      background(context.deps.store.storeMessages(data), 'storing messages');
    },
    /** While live: store and advance the cursor; a gap means a frame was missed, so catch up again. */
    storeLiveMessages: enqueueActions(({ context, event, enqueue }) => {
      const { data } = (event as { frame: { data: ChatMessage[] } }).frame;
      const { seq, gap } = advanceContiguous(context.syncedSeq, data, context.roomId);
      background(context.deps.store.storeMessages(data, { roomId: context.roomId, syncedSeq: seq }), 'storing messages');
      enqueue.assign({ syncedSeq: seq });
      if (gap) enqueue.sendTo('socket', { type: 'SEND', frame: { type: 'sync', room_id: context.roomId, after_seq: seq } });
    }),
    markSynced: assign(({ context, event }) => {
      const { seq } = (event as { frame: SyncedFrame }).frame;
      const syncedSeq = Math.max(context.syncedSeq, seq);
      background(context.deps.store.setSyncedSeq(context.roomId, syncedSeq), 'saving sync position');
      return { syncedSeq };
    }),
    storeAck: ({ context, event }) => {
      background(context.deps.store.applyAck((event as { frame: AckFrame }).frame), 'applying ack');
    },
    storeRejection: ({ context, event }) => {
      background(context.deps.store.applyRejection((event as { frame: RejectedFrame }).frame), 'applying rejection');
    },
    /** C4: the plan's items in enqueue order, up to FLUSH_BATCH_SIZE per frame. */
    sendBatches: enqueueActions(({ event, enqueue }) => {
      for (const frame of toFrames((event as unknown as { output: FlushPlan }).output.items)) {
        enqueue.sendTo('socket', { type: 'SEND', frame });
      }
    }),
    noteSent: assign(({ event }) => {
      const { items, more } = (event as unknown as { output: FlushPlan }).output;
      return { backlog: more, unmarked: items };
    }),
    /** An ack or a rejection answers some of the last flush: those need no `sending` mark. */
    noteAnswered: assign(({ context, event }) => {
      if (context.unmarked.length === 0) return {};
      const answered = new Set<string | null>((event as { frame: AckFrame | RejectedFrame }).frame.client_ids);
      return { unmarked: context.unmarked.filter((item) => !answered.has(item.client_id)) };
    }),
    markDirty: assign({ outboxDirty: true }),
    /** An answer frees window room: if the last plan left items waiting, plan again as soon as the flusher may. */
    wakeBacklog: assign(({ context }) => ({ outboxDirty: context.outboxDirty || context.backlog })),
    markClean: assign({ outboxDirty: false }),
    becomeLeader: assign({ isLeader: true }),
  },
}).createMachine({
  id: 'connection',
  type: 'parallel',
  context: ({ input }) => ({
    deps: input.deps,
    roomId: input.roomId,
    identity: undefined,
    attempt: 0,
    retryAt: null,
    socketId: null,
    socketCount: 0,
    syncedSeq: 0,
    isLeader: false,
    outboxDirty: false,
    backlog: false,
    unmarked: [],
  }),
  states: {
    lock: {
      invoke: { src: 'flushLock', input: { name: 'whisper-outbox' } },
      on: {
        'LOCK.ACQUIRED': { actions: ['becomeLeader', raise({ type: 'OUTBOX.CHANGED' })] },
      },
    },
    link: {
      initial: 'restoring',
      on: {
        OFFLINE: { target: '.offline' },
      },
      states: {
        restoring: {
          // The stored identity must be known before the first socket opens,
          // or the server would hand out a new one (P1).
          invoke: {
            src: 'restoreIdentity',
            input: ({ context }) => ({ deps: context.deps }),
            onDone: { target: 'checking', actions: assign({ identity: ({ event }) => event.output }) },
            onError: { target: 'checking' },
          },
          // `checking` reads navigator.onLine itself; going offline now must
          // not skip the restore.
          on: { OFFLINE: {} },
        },
        checking: {
          always: [{ guard: 'browserOffline', target: 'offline' }, { target: 'online' }],
        },
        offline: {
          tags: ['offline'],
          on: { ONLINE: 'online' },
        },
        waiting: {
          tags: ['offline', 'unreachable'],
          entry: 'scheduleRetry',
          exit: 'clearRetry',
          after: { backoff: 'online' },
          // C3: a network that comes back or a page brought to the front retries at once.
          on: { ONLINE: 'online', VISIBLE: 'online', RETRY: 'online' },
        },
        online: {
          // The socket lives exactly as long as this state: leaving it
          // (offline, a close, a dead heartbeat) closes the socket.
          entry: 'newSocket',
          invoke: { id: 'socket', src: 'socket', input: ({ context }) => ({ url: socketUrl(context) }) },
          initial: 'connecting',
          on: {
            'SOCKET.CLOSED': [
              { guard: 'tokenRejected', target: 'online', reenter: true, actions: 'forgetIdentity' },
              { target: 'waiting' },
            ],
          },
          states: {
            connecting: {
              tags: ['connecting'],
              after: { connectTimeout: '#connection.link.waiting' },
              on: { 'SERVER.hello': { target: 'connected', actions: 'storeIdentity' } },
            },
            connected: {
              type: 'parallel',
              states: {
                phase: {
                  initial: 'syncing',
                  // Frame handlers live in this region, not on an ancestor:
                  // XState 5 does not consult a parallel state's ancestors
                  // once a region (here: heartbeat) has taken the event.
                  on: {
                    'SERVER.messages': { actions: 'storeMessages' },
                    'SERVER.message_ids': { actions: 'storeAck' },
                    'SERVER.rejected': { actions: 'storeRejection' },
                  },
                  states: {
                    syncing: {
                      tags: ['connecting'],
                      invoke: {
                        src: 'prepareSync',
                        input: ({ context }) => ({ deps: context.deps, roomId: context.roomId }),
                        onDone: { actions: ['setSyncedSeq', 'sendSync'] },
                        onError: { target: '#connection.link.waiting' },
                      },
                      on: { 'SERVER.synced': { target: 'live', actions: 'markSynced' } },
                    },
                    live: {
                      tags: ['live'],
                      entry: 'resetAttempts',
                      initial: 'deciding',
                      on: {
                        'SERVER.messages': { actions: 'storeLiveMessages' },
                        // Answers (P3, P7) settle the last flush's items and
                        // free window room; `idle` then plans again at once,
                        // `flushing` and `sent` once they are done.
                        'SERVER.message_ids': { actions: ['storeAck', 'noteAnswered', 'wakeBacklog'] },
                        'SERVER.rejected': { actions: ['storeRejection', 'noteAnswered', 'wakeBacklog'] },
                      },
                      states: {
                        deciding: {
                          always: [{ guard: 'shouldFlush', target: 'flushing', actions: 'markClean' }, { target: 'idle' }],
                        },
                        flushing: {
                          invoke: {
                            src: 'planFlush',
                            // Live follows a hello, which set the identity.
                            input: ({ context }) => ({ deps: context.deps, socketId: context.socketId!, userId: context.identity!.user_id }),
                            onDone: { target: 'sent', actions: ['sendBatches', 'noteSent'] },
                            onError: { target: 'idle' },
                          },
                          on: { 'OUTBOX.CHANGED': { actions: 'markDirty' } },
                        },
                        // The frames are out; their rows do not say so yet
                        // (new ones read `pending`, resends their old socket).
                        // No new plan until they are answered or marked, or it
                        // would pick the same rows again.
                        sent: {
                          initial: 'awaitingAnswers',
                          on: { 'OUTBOX.CHANGED': { actions: 'markDirty' } },
                          states: {
                            awaitingAnswers: {
                              always: { guard: 'allAnswered', target: '#outboxIdle' },
                              after: { markSendingDelay: 'marking' },
                            },
                            marking: {
                              invoke: {
                                src: 'markSending',
                                input: ({ context }) => ({ deps: context.deps, items: context.unmarked }),
                                onDone: { target: '#outboxIdle', actions: assign({ unmarked: [] }) },
                                // Try again later rather than plan over rows
                                // that do not say they were sent.
                                onError: { target: 'awaitingAnswers' },
                              },
                            },
                          },
                        },
                        idle: {
                          id: 'outboxIdle',
                          always: { guard: 'dirtyLeader', target: 'flushing', actions: 'markClean' },
                          after: { ackCheck: 'deciding' },
                          on: { 'OUTBOX.CHANGED': 'deciding' },
                        },
                      },
                    },
                  },
                },
                heartbeat: {
                  initial: 'quiet',
                  states: {
                    // Any frame proves the socket alive (P9). The reset is a
                    // transition inside this region only, so it never
                    // disturbs the phase region beside it.
                    quiet: {
                      after: { heartbeatInterval: 'probing' },
                      on: { 'SERVER.*': { target: 'quiet', reenter: true } },
                    },
                    probing: {
                      entry: 'sendPing',
                      after: { heartbeatTimeout: '#connection.link.waiting' },
                      on: { 'SERVER.*': 'quiet' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

export type ConnectionActor = ActorRefFrom<typeof connectionMachine>;
