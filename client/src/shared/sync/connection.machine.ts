import { assign, raise, type ActorRefFrom } from 'xstate';
import { connectionSetup, socketAddress } from './connection.setup';
import { OUTBOX_LOCK } from './outbox-names';

export {
  ACK_CHECK_INTERVAL_MS,
  ACK_TIMEOUT_MS,
  CONNECT_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  MARK_SENDING_DELAY_MS,
  MAX_SEND_ATTEMPTS,
  type ConnectionContext,
  type ConnectionDeps,
  type ConnectionEvent,
  type ConnectionInput,
} from './connection.setup';
export { flushLockActor } from './flush-lock.actor';

/**
 * C3: the connection as a state machine. It owns the socket (an invoked
 * actor that lives exactly as long as the `connected` state), catches up on
 * every room in one round (P6, M5) and then flushes the outbox on every
 * entry to live (C4), follows each room's log while live (E1), reconnects
 * with capped, jittered exponential backoff, and treats heartbeat silence as
 * a close. Everything the socket brings is written by one named actor,
 * `storeWriter`, in arrival order.
 */
export const connectionMachine = connectionSetup.createMachine({
  id: 'connection',
  type: 'parallel',
  context: ({ input }) => ({
    deps: input.deps,
    identity: undefined,
    attempt: 0,
    retryAt: null,
    socketId: null,
    socketCount: 0,
    cursors: {},
    awaiting: {},
    held: {},
    dropped: {},
    roundOpen: false,
    named: [],
    roundAgain: false,
    isLeader: false,
    outboxDirty: false,
    backlog: false,
    unmarked: [],
    receiptRooms: [],
    reported: {},
    deliveryAgain: false,
    viewing: null,
  }),
  // Lives as long as the machine: frames are written in arrival order whatever state took them.
  invoke: { id: 'storeWriter', src: 'storeWriter', input: ({ context }) => ({ store: context.deps.store }) },
  // N1: kept in any state; `live` also sends it (no region takes it elsewhere, so this one does).
  on: { 'VIEWING.SET': { actions: 'noteViewing' } },
  states: {
    lock: {
      invoke: { src: 'flushLock', input: { name: OUTBOX_LOCK } },
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
          invoke: { id: 'socket', src: 'socket', input: ({ context }) => socketAddress(context) },
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
                    'SERVER.rooms': { actions: 'takeRooms' },
                    'SERVER.synced': { actions: 'takeSynced' },
                    'SERVER.messages': { actions: ['takeEntries', 'authorsStopTyping'] },
                    'SERVER.typing': { actions: 'takeTyping' },
                    'SERVER.receipts': { actions: 'storeReceipts' },
                    'SERVER.presence': { actions: 'takePresence' },
                    'SERVER.events': { actions: 'takeEntries' },
                    'SERVER.error': { actions: 'takeError' },
                    ROUND: { actions: 'sendRound' },
                    'ROUND.REQUEST': { actions: 'requestRound' },
                    'SERVER.message_ids': { actions: 'storeAck' },
                    'SERVER.rejected': { actions: 'storeRejection' },
                  },
                  states: {
                    syncing: {
                      tags: ['connecting'],
                      entry: 'expectRound',
                      invoke: {
                        src: 'readCursors',
                        input: ({ context }) => ({ deps: context.deps }),
                        onDone: { actions: [assign({ cursors: ({ event }) => event.output }), 'sendRound'] },
                        onError: { target: '#connection.link.waiting' },
                      },
                      always: { guard: 'roundComplete', target: 'live' },
                    },
                    live: {
                      tags: ['live'],
                      entry: ['resetAttempts', 'announceViewing'],
                      // F2: files upload while the link is live; each finished one wakes the flush.
                      invoke: { id: 'uploader', src: 'uploader', input: ({ context }) => ({ uploads: context.deps.uploads }) },
                      initial: 'deciding',
                      on: {
                        // Answers (P3, P7) settle the last flush's items and
                        // free window room; `idle` then plans again at once,
                        // `flushing` and `sent` once they are done.
                        'SERVER.message_ids': { actions: ['storeAck', 'noteAnswered', 'wakeBacklog'] },
                        'SERVER.rejected': { actions: ['storeRejection', 'noteAnswered', 'wakeBacklog'] },
                        // L2: only here; in any other state the signal is dropped (never queued).
                        'TYPING.SEND': { actions: 'sendTyping' },
                        'VIEWING.SET': { actions: ['noteViewing', 'sendViewing'] },
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
                // L4: at most one `delivered` report per DELIVERED_REPORT_INTERVAL_MS,
                // naming what is stored by then (read behind the writes before it).
                delivery: {
                  initial: 'idle',
                  states: {
                    idle: { on: { 'DELIVERY.DUE': 'gathering' } },
                    gathering: { after: { deliveryReport: 'reading' } },
                    reading: {
                      entry: 'askStoredCursors',
                      on: {
                        'DELIVERY.DUE': { actions: 'noteDeliveryAgain' },
                        'DELIVERY.STORED': [
                          { guard: 'deliveryAgain', target: 'gathering', actions: 'sendDelivered' },
                          { target: 'idle', actions: 'sendDelivered' },
                        ],
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
