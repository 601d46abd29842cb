import { assign, enqueueActions, fromPromise, sendTo, setup } from 'xstate';
import {
  CloseCode,
  DELIVERED_REPORT_INTERVAL_MS,
  ErrorCode,
  type AckFrame,
  type ErrorFrame,
  type EventsFrame,
  type HelloFrame,
  type MessagesFrame,
  type ReceiptsFrame,
  type PresenceFrame,
  type RejectedFrame,
  type RoomsFrame,
  type SyncedFrame,
  type TypingFrame,
  SOCKET_SUBPROTOCOL,
  SOCKET_TOKEN_PREFIX,
} from '@whisper/protocol';
import type { Identity, OutboxItem } from '../db/whisper-db';
import { backoffDelay } from './backoff';
import { deliveredReport, receiptRooms } from './delivery-reports';
import type { ChatStore, FlushPlan } from './chat-store';
import { flushLockActor } from './flush-lock.actor';
import { toFrames } from './outbox-frames';
import { advanceContiguous, followLog, type LogPositions } from './room-cursors';
import { socketActor, type SocketEvent, type SocketInput } from './socket.actor';
import { uploaderActor } from './uploader.actor';
import type { UploadRunner } from './uploads';
import { storeWriterActor, type DeliveryStored, type StoreCommand } from './store-writer.actor';

/** A socket that has not said hello within this time is given up on. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Silence on an open socket for this long makes the client ping (P9). */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** After a ping, this much more silence means the socket is dead (C3): reconnect. */
export const HEARTBEAT_TIMEOUT_MS = 10_000;
/** A message or op written to a live socket and not acked within this time is resent (C4). */
export const ACK_TIMEOUT_MS = 10_000;
/** How often the live state looks for overdue acks. */
export const ACK_CHECK_INTERVAL_MS = 5_000;
/** Unacked sends over live sockets before an item is shown as failed (C6). */
export const MAX_SEND_ATTEMPTS = 5;
/**
 * Sent items still unacked after this long are marked `sending` in the
 * outbox. Prompt acks make the marks unnecessary (the rows leave the outbox),
 * and marking a long queue is a bulk write that would compete with the flush.
 */
export const MARK_SENDING_DELAY_MS = 250;

export interface ConnectionDeps {
  store: ChatStore;
  /** ws(s)://host/v1/chat/ws */
  socketUrl: string;
  isOnline(): boolean;
  now(): number;
  random(): number;
  /**
   * L2: another member is typing in a room, or stopped (a `typing` frame, or
   * a message of theirs that arrived live). Live signals only: nothing of it
   * is stored.
   */
  onTyping?(frame: TypingFrame): void;
  /** L1: a `presence` frame (the snapshot after a catch-up, or a change); kept in memory by the page, never stored. */
  onPresence?(frame: PresenceFrame): void;
  /** F2: the file uploads, run while live (absent: no uploads, as in tests of other things). */
  uploads?: UploadRunner;
}

export interface ConnectionInput {
  deps: ConnectionDeps;
}

export interface ConnectionContext extends LogPositions {
  deps: ConnectionDeps;
  identity: Identity | undefined;
  /** Consecutive failed connection attempts; reset on reaching live. */
  attempt: number;
  /** When the next reconnect is due (ms since epoch), while waiting. */
  retryAt: number | null;
  /** Distinguishes sockets, so a send lost with an old socket is resent (C4). */
  socketId: string | null;
  socketCount: number;
  /** Rooms the last round named: any other room in its answer is new to this device. */
  named: string[];
  /** Something asked for a round while one was under way: another follows it. */
  roundAgain: boolean;
  /** C7: this tab holds the outbox lock and is the one that sends. */
  isLeader: boolean;
  /** The outbox changed while a flush was being planned or recorded: plan again. */
  outboxDirty: boolean;
  /** The last plan left due items for lack of window room: plan again when an ack frees some. */
  backlog: boolean;
  /** Items of the last flush neither acked nor rejected yet, and not yet marked `sending`. */
  unmarked: OutboxItem[];
  /** L4: the user's DMs and groups (their stored cursors are reported), as the last `rooms` frame listed them. */
  receiptRooms: string[];
  /** L4: what this socket has reported per room. */
  reported: Record<string, number>;
  /** L4: cursors moved while a report was being read: another report follows. */
  deliveryAgain: boolean;
  /** N1: the room open on a visible page (null: none), told to every socket once it is live. */
  viewing: string | null;
}

export type ConnectionEvent =
  | SocketEvent
  | { type: 'ONLINE' }
  | { type: 'OFFLINE' }
  | { type: 'VISIBLE' }
  | { type: 'OUTBOX.CHANGED' }
  | { type: 'LOCK.ACQUIRED' }
  | { type: 'RETRY' }
  /** Internal: send a round (M5) now. */
  | { type: 'ROUND' }
  /** Internal: a room to learn; a round now, or after the one under way. */
  | { type: 'ROUND.REQUEST' }
  /** L2: tell the room's other members that this user types (or stopped); sent only while live, never queued. */
  | { type: 'TYPING.SEND'; roomId: string; typing: boolean }
  /** N1: the room open on a visible page changed (null: none). */
  | { type: 'VIEWING.SET'; roomId: string | null }
  /** Internal, L4: a DM's or group's cursor moved; a `delivered` report is due. */
  | { type: 'DELIVERY.DUE' }
  | DeliveryStored;

/**
 * Where the socket connects, and as whom (P1): the token is offered as a
 * subprotocol beside `whisper`, so it never appears in a URL (access logs,
 * proxies, the console's connection errors). Without one the server hands
 * out a new identity.
 */
export function socketAddress(context: ConnectionContext): SocketInput {
  const token = context.identity?.token;
  return { url: context.deps.socketUrl, protocols: token ? [SOCKET_SUBPROTOCOL, `${SOCKET_TOKEN_PREFIX}${token}`] : [SOCKET_SUBPROTOCOL] };
}

/** Logs a failed background write instead of leaving an unhandled rejection. */
function background(promise: Promise<unknown>, what: string) {
  promise.catch((error: unknown) => console.error(`whisper: ${what} failed`, error));
}

const frameOf = <F>(event: ConnectionEvent) => (event as unknown as { frame: F }).frame;


/**
 * What the connection machine can do: its actors (every IndexedDB write a
 * named one), guards and actions. When it does them is connection.machine.ts.
 */
export const connectionSetup = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actors: {
    socket: socketActor,
    flushLock: flushLockActor,
    storeWriter: storeWriterActor,
    uploader: uploaderActor,
    restoreIdentity: fromPromise<Identity | undefined, { deps: ConnectionDeps }>(({ input }) => input.deps.store.getIdentity()),
    /** M5: every room this device has a cursor for, to name in one `sync`. */
    readCursors: fromPromise<Record<string, number>, { deps: ConnectionDeps }>(({ input }) => input.deps.store.cursors()),
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
    deliveryReport: DELIVERED_REPORT_INTERVAL_MS,
  },
  guards: {
    browserOffline: ({ context }) => !context.deps.isOnline(),
    shouldFlush: ({ context }) => context.isLeader,
    dirtyLeader: ({ context }) => context.isLeader && context.outboxDirty,
    allAnswered: ({ context }) => context.unmarked.length === 0,
    tokenRejected: ({ event }) => event.type === 'SOCKET.CLOSED' && event.code === CloseCode.InvalidToken,
    /** M5: live only once every room of the `rooms` frame has its `synced`. */
    roundComplete: ({ context }) => !context.roundOpen && Object.keys(context.awaiting).length === 0,
    deliveryAgain: ({ context }) => context.deliveryAgain,
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
      reported: {},
      deliveryAgain: false,
    })),
    /** P1: keep the identity (and its renewed token) for the next connection. */
    storeIdentity: assign(({ context, event }) => {
      const { user_id, token } = frameOf<HelloFrame>(event);
      background(context.deps.store.renewIdentity(context.identity?.user_id, { user_id, token }), 'saving identity');
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
    /** A new socket: until its round is answered, every room may be in the answer. */
    expectRound: assign({ roundOpen: true, awaiting: {}, dropped: {}, roundAgain: false }),
    /** M5: one `sync` naming every room this device follows, from its cursor. */
    sendRound: enqueueActions(({ context, enqueue }) => {
      const rooms = Object.entries(context.cursors).map(([room_id, after_seq]) => ({ room_id, after_seq }));
      enqueue.assign({ named: Object.keys(context.cursors), roundOpen: true, roundAgain: false, dropped: {} });
      enqueue.sendTo('socket', { type: 'SEND', frame: { type: 'sync', rooms } });
    }),
    /** A room to learn (added to it, or unknown): a round now, or after the one under way. */
    requestRound: enqueueActions(({ context, enqueue }) => {
      if (context.roundOpen || Object.keys(context.awaiting).length > 0) enqueue.assign({ roundAgain: true });
      else enqueue.raise({ type: 'ROUND' });
    }),
    /** L2: a typing signal, on the socket as it is (only `live` takes the event: offline, it is dropped). */
    sendTyping: sendTo('socket', ({ event }) => {
      const { roomId, typing } = event as Extract<ConnectionEvent, { type: 'TYPING.SEND' }>;
      return { type: 'SEND' as const, frame: { type: 'typing' as const, room_id: roomId, typing } };
    }),
    /** N1: what the page shows, kept for the next socket. */
    noteViewing: assign({ viewing: ({ event }) => (event as Extract<ConnectionEvent, { type: 'VIEWING.SET' }>).roomId }),
    /** N1: the server pushes to this device for every room but the one it is told is on screen. */
    sendViewing: sendTo('socket', ({ context }) => ({ type: 'SEND' as const, frame: { type: 'viewing' as const, room_id: context.viewing } })),
    /** N1: a new socket knows of no room on screen: it is told of one, if any, on reaching live. */
    announceViewing: enqueueActions(({ context, enqueue }) => {
      if (context.viewing !== null) enqueue.sendTo('socket', { type: 'SEND', frame: { type: 'viewing', room_id: context.viewing } });
    }),
    /** L2: someone's typing signal, passed on to the page. */
    takeTyping: ({ context, event }) => context.deps.onTyping?.(frameOf<TypingFrame>(event)),
    /** L1: who is online, passed on to the page. */
    takePresence: ({ context, event }) => context.deps.onPresence?.(frameOf<PresenceFrame>(event)),
    /** L2: a message that arrives live ends its author's typing there (their `false` may come later, or never). */
    authorsStopTyping: ({ context, event }) => {
      const { onTyping } = context.deps;
      if (!onTyping) return;
      const me = context.identity?.user_id;
      const seen = new Set<string>();
      for (const message of frameOf<MessagesFrame>(event).data) {
        const key = `${message.room_id} ${message.user_id}`;
        if (message.user_id === me || seen.has(key)) continue;
        seen.add(key);
        onTyping({ type: 'typing', room_id: message.room_id, user_id: message.user_id, typing: false });
      }
    },
    sendPing: sendTo('socket', { type: 'SEND' as const, frame: { type: 'ping' as const } }),
    /** M5: the user's rooms now. Cursors of rooms no longer listed go; the store drops those rooms. */
    takeRooms: enqueueActions(({ context, event, enqueue }) => {
      const received = frameOf<RoomsFrame>(event);
      // Left while this listing was on its way: the listing is older than the leaving.
      const rooms = received.data.filter((room) => (context.dropped[room.id] ?? -1) <= room.last_seq);
      const frame = { ...received, data: rooms };
      const listed = rooms.map((room) => room.id);
      enqueue.sendTo('storeWriter', { type: 'STORE.ROOMS', frame, userId: context.identity?.user_id } satisfies StoreCommand);
      enqueue.assign({
        roundOpen: false,
        dropped: {},
        receiptRooms: receiptRooms(rooms),
        awaiting: Object.fromEntries(rooms.map((room) => [room.id, room.last_seq])),
        cursors: Object.fromEntries(Object.entries(context.cursors).filter(([roomId]) => listed.includes(roomId))),
      });
      if (listed.length === 0 && context.roundAgain) enqueue.raise({ type: 'ROUND' });
    }),
    /**
     * P6: a room's catch-up is done (a round's or a gap's). A room the round
     * did not name is new to this device: nothing in it is unread.
     */
    takeSynced: enqueueActions(({ context, event, enqueue }) => {
      const { room_id: roomId, seq, has_older } = frameOf<SyncedFrame>(event);
      const following = roomId in context.cursors || roomId in context.awaiting;
      const { [roomId]: _answered, ...awaiting } = context.awaiting;
      enqueue.assign({ awaiting });
      // Dropped meanwhile (left, removed, deleted): nothing to follow.
      if (!following) return;
      // Entries that came live while the room waited may lie past the answer's end.
      const { seq: cursor, gap } = advanceContiguous(Math.max(context.cursors[roomId] ?? 0, seq), context.held[roomId] ?? []);
      const held = { ...context.held };
      delete held[roomId];
      enqueue.assign({ cursors: { ...context.cursors, [roomId]: cursor }, held });
      if (gap) enqueue.sendTo('socket', { type: 'SEND', frame: { type: 'sync', room_id: roomId, after_seq: cursor } });
      const fresh = roomId in context.awaiting && !context.named.includes(roomId) ? { hasOlder: has_older ?? false } : undefined;
      enqueue.sendTo('storeWriter', { type: 'STORE.SYNCED', roomId, seq: cursor, fresh, userId: context.identity?.user_id } satisfies StoreCommand);
      if (context.receiptRooms.includes(roomId)) enqueue.raise({ type: 'DELIVERY.DUE' });
      if (Object.keys(awaiting).length === 0 && !context.roundOpen && context.roundAgain) enqueue.raise({ type: 'ROUND' });
    }),
    /**
     * E1, E2: messages and events share each room's seq space. Store them,
     * move the cursors of rooms followed without a hole, catch up on a room
     * with a hole (P6), and start a round for a room this device does not
     * know or was just added to (M5).
     */
    takeEntries: enqueueActions(({ context, event, enqueue }) => {
      const frame = frameOf<MessagesFrame | EventsFrame>(event);
      const events = frame.type === 'events' ? frame.data : [];
      const step = followLog(context, frame.data, events, context.identity?.user_id);
      enqueue.assign({ cursors: step.cursors, awaiting: step.awaiting, held: step.held, dropped: step.dropped });
      const entries = frame.type === 'events' ? { events } : { messages: frame.data };
      const command: StoreCommand = { type: 'STORE.ENTRIES', ...entries, cursors: step.moved, listed: context.awaiting, userId: context.identity?.user_id };
      enqueue.sendTo('storeWriter', command);
      for (const gap of step.gaps) enqueue.sendTo('socket', { type: 'SEND', frame: { type: 'sync', ...gap } });
      if (step.round) enqueue.raise({ type: 'ROUND.REQUEST' });
      if (Object.keys(step.moved).some((roomId) => context.receiptRooms.includes(roomId))) enqueue.raise({ type: 'DELIVERY.DUE' });
    }),
    /** L3, L4: markers that moved, written like every frame (the user's own move the read marker; others' make the ticks). */
    storeReceipts: sendTo('storeWriter', ({ context, event }) => ({ type: 'STORE.RECEIPTS', frame: frameOf<ReceiptsFrame>(event), userId: context.identity?.user_id }) satisfies StoreCommand),
    /** L4: asks the store writer for the stored cursors, behind every write queued before. */
    askStoredCursors: sendTo('storeWriter', ({ context }) => ({ type: 'STORE.DELIVERED', roomIds: context.receiptRooms, userId: context.identity?.user_id }) satisfies StoreCommand),
    /** L4: reports the cursors that moved since the last report on this socket. */
    sendDelivered: enqueueActions(({ context, event, enqueue }) => {
      const { frame, reported } = deliveredReport((event as DeliveryStored).cursors, context.reported);
      enqueue.assign({ reported, deliveryAgain: false });
      if (frame) enqueue.sendTo('socket', { type: 'SEND', frame });
    }),
    noteDeliveryAgain: assign({ deliveryAgain: true }),
    /** A single-room catch-up named a room that is no longer the user's: a round says which. */
    takeError: enqueueActions(({ event, enqueue }) => {
      if (frameOf<ErrorFrame>(event).code === ErrorCode.UnknownRoom) enqueue.raise({ type: 'ROUND.REQUEST' });
    }),
    storeAck: sendTo('storeWriter', ({ context, event }) => ({ type: 'STORE.ACK', frame: frameOf<AckFrame>(event), userId: context.identity?.user_id }) satisfies StoreCommand),
    storeRejection: sendTo('storeWriter', ({ context, event }) => ({ type: 'STORE.REJECTION', frame: frameOf<RejectedFrame>(event), userId: context.identity?.user_id }) satisfies StoreCommand),
    /** C4: the plan's items in enqueue order: runs of messages and of ops, up to FLUSH_BATCH_SIZE per frame. */
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
      const answered = new Set<string | null>(frameOf<AckFrame | RejectedFrame>(event).client_ids);
      return { unmarked: context.unmarked.filter((item) => !answered.has(item.client_id)) };
    }),
    markDirty: assign({ outboxDirty: true }),
    /** An answer frees window room: if the last plan left items waiting, plan again as soon as the flusher may. */
    wakeBacklog: assign(({ context }) => ({ outboxDirty: context.outboxDirty || context.backlog })),
    markClean: assign({ outboxDirty: false }),
    becomeLeader: assign({ isLeader: true }),
  },
});
