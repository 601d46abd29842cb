/**
 * R1 with message actions (X1–X4, E1–E5, P11) for the chaos harness
 * (chaos.ts, option `messageActions`): during the send phase, under the same
 * faults, every simulated device edits and deletes its own messages (some
 * still in the outbox, some in flight, some acked) and reacts to messages of
 * the rooms it is in, its own and others', toggling an emoji on and off in
 * quick succession too, so that a reaction taken back before it left nets
 * out. Then, at settle, the checks: every device's cached copy of every
 * message is the server's current state, the server's state is what each
 * author and reactor did last (E5), every op made at most one log entry
 * (E3), deleted messages have no words anywhere, and a message deleted
 * before it left the device never reached the server.
 *
 * Each device acts through its "page" (Page below): the app's own chat store
 * and room actions on a second connection to the device's IndexedDB
 * database, beside the Node client's engine, exactly as the app's page
 * (sync-engine.ts) writes the outbox while its connection worker
 * (connection-runtime.ts) sends it; Dexie's live queries carry the page's
 * writes over to the engine, as they do from the page to the worker. With
 * `messageActions`, the page is the device's one writer of the outbox (its
 * sends and room ops too): one client_id generator per writer keeps an op
 * after the message it names (outbox-store.ts), as in the app.
 *
 * Which message to act on is chosen from the room's timeline as the app
 * reads it (use-room-timeline.ts readTimeline, timeline-entries.ts), and the
 * ref is what the page passes (use-message-actions.ts refOf), so pending
 * overlays (a pending delete hides a message, a pending react shows as
 * mine) decide what is offered, as on screen.
 *
 * The client modules are imported with computed specifiers, as in
 * tests/support/node-client.ts (the root tsconfig cannot compile them).
 */
import type pg from 'pg';
import type { ChatMessage, LogEvent, Op, Room, User } from '../../server/protocol/index.js';
import type { NodeClient, OutboxItem } from '../support/node-client.js';

// ---------------------------------------------------------------------------
// The client modules, as far as this file uses them.

type OutboxOp = Omit<Op, 'client_id'>;

interface Table<T> {
  toArray(): Promise<T[]>;
}

interface PageDatabaseLike {
  outbox: Table<OutboxItem> & { orderBy(index: string): Table<OutboxItem> };
  meta: unknown;
  rooms: Table<Room>;
  transaction<T>(mode: 'rw', tables: unknown[], work: () => Promise<T>): Promise<T>;
  close(): void;
}

/** client/src/shared/sync/message-actions-store.ts MessageRef */
export interface MessageRef {
  roomId: string;
  id: string | null;
  clientId: string | null;
  own: boolean;
}

interface PageStoreLike {
  enqueue(roomId: string, content: string): Promise<OutboxItem>;
  editMessage(ref: MessageRef, content: string): Promise<void>;
  deleteMessage(ref: MessageRef): Promise<void>;
  setReaction(ref: MessageRef, emoji: string, on: boolean): Promise<void>;
  myUserId(): Promise<string | undefined>;
}

interface PageRoomActionsLike {
  createRoom(input: { kind: 'group' | 'public'; name: string; userIds: string[] }): Promise<string>;
  addMembers(roomId: string, userIds: string[]): Promise<void>;
  leaveRoom(roomId: string): Promise<void>;
  removeMember(roomId: string, userId: string): Promise<void>;
}

/** client/src/shared/sync/timeline.ts TimelineItem (the fields used here). */
interface TimelineItemLike {
  kind: 'message';
  id: string | null;
  clientId: string | null;
  own: boolean;
  deleted: boolean;
  status: 'pending' | 'sending' | 'failed' | 'sent' | null;
  reactions: { emoji: string; mine: boolean; pending: boolean }[];
}
type TimelineEntryLike = TimelineItemLike | { kind: 'notice' };

interface PageModules {
  WhisperDatabase: new (name: string) => PageDatabaseLike;
  createChatStore(db: PageDatabaseLike): PageStoreLike;
  createRoomActions(store: PageStoreLike): PageRoomActionsLike;
  timelineEntries(messages: ChatMessage[], events: LogEvent[], outbox: OutboxItem[], context: { me: string | undefined; users: ReadonlyMap<string, User>; kind: string }): TimelineEntryLike[];
  messagesTable: { newest(db: PageDatabaseLike, roomId: string, limit: number): Promise<ChatMessage[]> };
  eventsTable: { from(db: PageDatabaseLike, roomId: string, fromSeq: number): Promise<LogEvent[]> };
  outboxTable: { ofRoom(db: PageDatabaseLike, roomId: string): Promise<OutboxItem[]>; get(db: PageDatabaseLike, clientId: string): Promise<OutboxItem | undefined> };
  mayHaveLeft(db: PageDatabaseLike, row: OutboxItem): Promise<boolean>;
}

const CLIENT_SHARED = '../../client/src/shared/';
let modules: Promise<PageModules> | undefined;

function loadPageModules(): Promise<PageModules> {
  const load = (file: string) => import(/* @vite-ignore */ `${CLIENT_SHARED}${file}`);
  modules ??= Promise.all([
    load('db/whisper-db'),
    load('sync/chat-store'),
    load('sync/room-actions'),
    load('sync/timeline-entries'),
    load('db/messages.table'),
    load('db/events.table'),
    load('db/outbox.table'),
    load('sync/outbox-store'),
  ]).then(([db, store, actions, timeline, messages, events, outbox, outboxStore]) => ({
    WhisperDatabase: db.WhisperDatabase,
    createChatStore: store.createChatStore,
    createRoomActions: actions.createRoomActions,
    timelineEntries: timeline.timelineEntries,
    messagesTable: messages.messagesTable,
    eventsTable: events.eventsTable,
    outboxTable: outbox.outboxTable,
    mayHaveLeft: outboxStore.mayHaveLeft,
  }));
  return modules;
}

// ---------------------------------------------------------------------------
// A device's page.

/** How many of the newest messages a timeline read holds (what a room's page shows first). */
const TIMELINE_WINDOW = 60;

/** The device's page: the one writer of its outbox (sends, room ops, message actions). */
export interface Page {
  send(content: string, roomId: string): Promise<OutboxItem>;
  createRoom(input: { kind: 'group' | 'public'; name: string; userIds: string[] }): Promise<string>;
  addMembers(roomId: string, userIds: string[]): Promise<void>;
  leaveRoom(roomId: string): Promise<void>;
  removeMember(roomId: string, userId: string): Promise<void>;
  rooms(): Promise<Room[]>;
  close(): Promise<void>;
}

interface PageInternals extends Page {
  readonly db: PageDatabaseLike;
  readonly store: PageStoreLike;
  readonly modules: PageModules;
  /** The room's message items as the page's timeline shows them now. */
  timeline(roomId: string): Promise<TimelineItemLike[]>;
}

/** Opens the page of the device whose IndexedDB database is `name` (the Node client's). */
export async function openPage(name: string): Promise<Page> {
  const loaded = await loadPageModules();
  const db = new loaded.WhisperDatabase(name);
  const store = loaded.createChatStore(db);
  const actions = loaded.createRoomActions(store);
  const page: PageInternals = {
    db,
    store,
    modules: loaded,
    send: (content, roomId) => store.enqueue(roomId, content),
    createRoom: (input) => actions.createRoom(input),
    addMembers: (roomId, userIds) => actions.addMembers(roomId, userIds),
    leaveRoom: (roomId) => actions.leaveRoom(roomId),
    removeMember: (roomId, userId) => actions.removeMember(roomId, userId),
    rooms: () => db.rooms.toArray(),
    async timeline(roomId) {
      // As readTimeline (use-room-timeline.ts), minus the people's names.
      const [messages, outbox, me] = await Promise.all([
        loaded.messagesTable.newest(db, roomId, TIMELINE_WINDOW),
        loaded.outboxTable.ofRoom(db, roomId),
        store.myUserId(),
      ]);
      const events = await loaded.eventsTable.from(db, roomId, messages.length >= TIMELINE_WINDOW ? messages[0].seq : 0);
      const entries = loaded.timelineEntries(messages, events, outbox, { me, users: new Map(), kind: 'group' });
      return entries.filter((entry): entry is TimelineItemLike => entry.kind === 'message');
    },
    async close() {
      db.close();
    },
  };
  return page;
}

// ---------------------------------------------------------------------------
// The actions, and what they are expected to come to.

/** A few emoji, one with the variation selector and a keycap among them (stored as sent). */
const EMOJI = ['👍', '❤️', '😂', '🎉', '🦊', '1️⃣'];
/** A slow double tap waits at most this long for the first tap's op to leave. */
const SLOW_TAP_MAX_MS = 1_500;

export interface MessageActionCounts {
  /** editMessage calls, and what each did to the outbox. */
  edits: number;
  editsRewritingMessage: number;
  editsRewritingEdit: number;
  editsQueued: number;
  /** deleteMessage calls: a message that never left is removed (withdrawn), else an op is queued. */
  deletes: number;
  deletesWithdrawing: number;
  deletesQueued: number;
  /** setReaction calls. */
  reactions: number;
  reactionsOn: number;
  reactionsOff: number;
  reactionsQueued: number;
  /** A reaction taken back (or put back) before its opposite op left: both net out. */
  reactionsNettedOut: number;
  /** A call the outbox already had (the same op unsent): nothing queued. */
  reactionsUnchanged: number;
  /** Quick toggles: the same emoji on and off (and sometimes on again) in a row. */
  toggles: number;
  /** Actions aimed at the user's own message while it was still in the outbox (pending or in flight). */
  onOutboxMessages: number;
  /** Actions on someone else's message. */
  onOthersMessages: number;
  /** Op rows queued (and still queued when their action ended), and of those, the ones naming an own message by target_client_id. */
  opsQueued: number;
  opsByClientId: number;
  /** Op rows taken back before they left (a reaction netted out, the changes queued for a message deleted before it left). */
  opsCancelled: number;
  /** Message ops applied by the server (applied_ops), and acked to their device (P3; an op whose entry came first needs no ack). */
  opsApplied: number;
  opsAcked: number;
  /** Log entries at the end, by kind. */
  editEntries: number;
  deleteEntries: number;
  reactEntries: number;
  unreactEntries: number;
  /** Stored messages deleted (tombstones), and messages deleted before they left (never stored). */
  tombstones: number;
  withdrawn: number;
  /** Checked: cached copies compared with the server's state, over every device. */
  copiesCompared: number;
}

export const emptyActionCounts = (): MessageActionCounts => ({
  edits: 0,
  editsRewritingMessage: 0,
  editsRewritingEdit: 0,
  editsQueued: 0,
  deletes: 0,
  deletesWithdrawing: 0,
  deletesQueued: 0,
  reactions: 0,
  reactionsOn: 0,
  reactionsOff: 0,
  reactionsQueued: 0,
  reactionsNettedOut: 0,
  reactionsUnchanged: 0,
  toggles: 0,
  onOutboxMessages: 0,
  onOthersMessages: 0,
  opsQueued: 0,
  opsByClientId: 0,
  opsCancelled: 0,
  opsApplied: 0,
  opsAcked: 0,
  editEntries: 0,
  deleteEntries: 0,
  reactEntries: 0,
  unreactEntries: 0,
  tombstones: 0,
  withdrawn: 0,
  copiesCompared: 0,
});

/** What a device did to a message, in the order it did it. */
type Action =
  | { kind: 'edit'; c: number; roomId: string; clientId: string; content: string }
  | { kind: 'delete'; c: number; roomId: string; clientId: string; withdrew: boolean }
  | { kind: 'react'; c: number; roomId: string; ref: MessageRef; emoji: string; on: boolean };

interface ActionRunOptions {
  clients: number;
  messagesPerClient: number;
  perClient: number;
  random: () => number;
  counts: MessageActionCounts;
}

/**
 * The schedule (how many actions after which send, per device) and the
 * record of every action, for the checks.
 */
export class MessageActionRun {
  /** Per device, per send index: actions to do right after that send. */
  private readonly plan: number[][];
  private readonly actions: Action[] = [];
  /** Message op rows queued, by client_id: who queued it and what it was. */
  private readonly ops = new Map<string, { c: number; op: OutboxOp }>();
  /** Of those, the ones taken back before they left. */
  private readonly cancelled = new Set<string>();
  /** What went wrong while acting (reported by check()). */
  private readonly oddities: string[] = [];
  private readonly counts: MessageActionCounts;
  private readonly random: () => number;

  constructor(options: ActionRunOptions) {
    this.counts = options.counts;
    this.random = options.random;
    // Spread over the sends, none before the third (there is something to act on by then).
    this.plan = Array.from({ length: options.clients }, () => {
      const perSend = new Array<number>(options.messagesPerClient).fill(0);
      const first = Math.min(2, options.messagesPerClient - 1);
      for (let k = 0; k < options.perClient; k++) perSend[first + Math.floor(this.random() * (options.messagesPerClient - first))]++;
      return perSend;
    });
  }

  /** How many actions device `c` does right after its send number `index`. */
  due(c: number, index: number): number {
    return this.plan[c][index] ?? 0;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  /**
   * One action of device `c` through its page, right after it sent `justSent`:
   * sometimes on that very message (most likely still in the outbox), else
   * on a message of a random room of its own list.
   */
  async act(c: number, page: Page, justSent: OutboxItem): Promise<void> {
    const internals = page as PageInternals;
    const roll = this.random();
    const kind: 'edit' | 'delete' | 'react' | 'toggle' = roll < 0.3 ? 'edit' : roll < 0.45 ? 'delete' : roll < 0.72 ? 'react' : 'toggle';
    // Edits and deletes often go to the message just sent (likely still in
    // the outbox); reactions mostly to any message of a room.
    const aimAtNew = this.random() < (kind === 'edit' || kind === 'delete' ? 0.5 : 0.15);
    const rooms = (await page.rooms()).map((room) => room.id);
    const roomId = aimAtNew || rooms.length === 0 ? justSent.room_id : this.pick(rooms);
    const items = await internals.timeline(roomId);
    const live = items.filter((item) => !item.deleted);
    const own = live.filter((item) => item.own && item.clientId !== null);
    const newest = aimAtNew ? live.find((item) => item.own && item.clientId === justSent.client_id) : undefined;
    if (kind === 'edit' || kind === 'delete') {
      const target = newest ?? (own.length > 0 ? this.pick(own.slice(-20)) : undefined);
      if (!target) return;
      this.noteTarget(target);
      if (kind === 'delete') {
        await this.delete(c, internals, roomId, target);
        return;
      }
      await this.edit(c, internals, roomId, target);
      // Sometimes a second thought at once: the first edit's op, if it has not left, takes the new words.
      if (this.random() < 0.3) {
        const again = (await internals.timeline(roomId)).find((next) => !next.deleted && next.own && next.clientId === target.clientId);
        if (again) await this.edit(c, internals, roomId, again);
      }
      return;
    }
    // Reactions: others' messages first, when the room has some; now and then
    // one the user has reacted to already (to take it back).
    const recent = live.slice(-40);
    const others = recent.filter((item) => !item.own);
    const mineOn = (item: TimelineItemLike) => item.reactions.filter((reaction) => reaction.mine).map((reaction) => reaction.emoji);
    const reacted = recent.filter((item) => mineOn(item).length > 0);
    const takeBack = kind === 'react' && !newest && reacted.length > 0 && this.random() < 0.5;
    const target = newest ?? (takeBack ? this.pick(reacted) : others.length > 0 && this.random() < 0.7 ? this.pick(others) : recent.length > 0 ? this.pick(recent) : undefined);
    if (!target || (target.id === null && !target.own)) return;
    this.noteTarget(target);
    // Taking back one of the user's reactions: an unreact op once its react has left (or the server has it), else the two net out.
    const emoji = takeBack ? this.pick(mineOn(target)) : this.pick(EMOJI);
    if (kind === 'react') {
      await this.react(c, internals, roomId, target, emoji);
      return;
    }
    // The same emoji on, off (and maybe on again): a quick double tap (the
    // second tap nets the first out while it has not left), or a slower one
    // (once the first has left, or a while: the second is an op of its own).
    // Each tap reads the timeline afresh, as the page would.
    this.counts.toggles++;
    const taps = this.random() < 0.3 ? 3 : 2;
    const slow = this.random() < 0.5;
    let item: TimelineItemLike | undefined = target;
    for (let tap = 0; tap < taps && item; tap++) {
      const queued = await this.react(c, internals, roomId, item, emoji);
      if (slow && queued) await this.untilLeft(internals, queued, SLOW_TAP_MAX_MS);
      const before: TimelineItemLike = item;
      item = (await internals.timeline(roomId)).find((next) => !next.deleted && (before.id !== null ? next.id === before.id : next.own && next.clientId === before.clientId));
    }
  }

  private noteTarget(item: TimelineItemLike): void {
    if (item.own && item.id === null) this.counts.onOutboxMessages++;
    if (!item.own) this.counts.onOthersMessages++;
  }

  /** Runs `work` (one store call) and tells what it did to the outbox, in one transaction so nothing else writes in between. */
  private async around(page: PageInternals, work: () => Promise<void>): Promise<{ added: OutboxItem[]; removed: OutboxItem[]; changed: OutboxItem[] }> {
    const { db } = page;
    return db.transaction('rw', [db.outbox, db.meta], async () => {
      const before = new Map((await db.outbox.toArray()).map((row) => [row.client_id, row]));
      await work();
      const after = await db.outbox.toArray();
      const added = after.filter((row) => !before.has(row.client_id));
      const afterIds = new Set(after.map((row) => row.client_id));
      const removed = [...before.values()].filter((row) => !afterIds.has(row.client_id));
      const changed = after.filter((row) => {
        const old = before.get(row.client_id);
        return old !== undefined && (old.content !== row.content || JSON.stringify(old.op) !== JSON.stringify(row.op));
      });
      return { added, removed, changed };
    });
  }

  private noteOps(c: number, added: OutboxItem[], removed: OutboxItem[]): void {
    for (const row of added) {
      if (row.kind === 'op' && row.op) {
        this.ops.set(row.client_id, { c, op: row.op });
        this.counts.opsQueued++;
        if ('target_client_id' in row.op && row.op.target_client_id !== undefined) this.counts.opsByClientId++;
      }
    }
    for (const row of removed) {
      if (row.kind !== 'op') continue;
      if (!this.ops.has(row.client_id)) this.oddities.push(`client ${c}: an action removed op row ${row.client_id} (${row.op?.op}), which no action queued`);
      this.cancelled.add(row.client_id);
      this.counts.opsCancelled++;
    }
  }

  private ref(roomId: string, item: TimelineItemLike): MessageRef {
    // use-message-actions.ts refOf
    return { roomId, id: item.id, clientId: item.clientId, own: item.own };
  }

  private async edit(c: number, page: PageInternals, roomId: string, item: TimelineItemLike): Promise<void> {
    const content = `c${c} edit ${this.counts.edits}${this.random() < 0.3 ? ' — ✏️ ünïcödé' : ''}`;
    const { added, removed, changed } = await this.around(page, () => page.store.editMessage(this.ref(roomId, item), content));
    this.counts.edits++;
    this.actions.push({ kind: 'edit', c, roomId, clientId: item.clientId!, content });
    this.noteOps(c, added, removed);
    if (added.length > 0) this.counts.editsQueued++;
    else if (changed.some((row) => row.kind !== 'op')) this.counts.editsRewritingMessage++;
    else if (changed.length > 0) this.counts.editsRewritingEdit++;
  }

  private async delete(c: number, page: PageInternals, roomId: string, item: TimelineItemLike): Promise<void> {
    const { added, removed } = await this.around(page, () => page.store.deleteMessage(this.ref(roomId, item)));
    this.counts.deletes++;
    const withdrew = removed.some((row) => row.kind !== 'op' && row.client_id === item.clientId);
    this.actions.push({ kind: 'delete', c, roomId, clientId: item.clientId!, withdrew });
    this.noteOps(c, added, removed);
    if (withdrew) this.counts.deletesWithdrawing++;
    if (added.length > 0) this.counts.deletesQueued++;
  }

  /** Waits until the op row may have reached the server (or is gone: acked), at most `maxMs`. */
  private async untilLeft(page: PageInternals, clientId: string, maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while (Date.now() < until) {
      const row = await page.modules.outboxTable.get(page.db, clientId);
      if (!row || (await page.modules.mayHaveLeft(page.db, row))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Taps the emoji: on unless the timeline shows it as the user's (pending or not), as the page's reaction chip does. Returns the op row it queued, if any. */
  private async react(c: number, page: PageInternals, roomId: string, item: TimelineItemLike, emoji: string): Promise<string | undefined> {
    const on = !item.reactions.some((reaction) => reaction.emoji === emoji && reaction.mine);
    const ref = this.ref(roomId, item);
    const { added, removed } = await this.around(page, () => page.store.setReaction(ref, emoji, on));
    this.counts.reactions++;
    if (on) this.counts.reactionsOn++;
    else this.counts.reactionsOff++;
    this.actions.push({ kind: 'react', c, roomId, ref, emoji, on });
    this.noteOps(c, added, removed);
    if (added.length > 0) this.counts.reactionsQueued++;
    else if (removed.length > 0) this.counts.reactionsNettedOut++;
    else this.counts.reactionsUnchanged++;
    return added[0]?.client_id;
  }

  /** Whether device `c` deleted this own message before it left (so it must never reach the server). */
  withdrawn(c: number, clientId: string): boolean {
    return this.actions.some((action) => action.kind === 'delete' && action.c === c && action.clientId === clientId && action.withdrew);
  }

  /** The words device `c` last gave its message `clientId` ('' once it deleted it), or undefined if it never acted on it. */
  expectedContent(c: number, clientId: string): string | undefined {
    let content: string | undefined;
    for (const action of this.actions) {
      if (action.c !== c || action.kind === 'react' || action.clientId !== clientId) continue;
      if (action.kind === 'delete') return '';
      content = action.content;
    }
    return content;
  }

  /**
   * The checks at settle; `problems` gets every violation in words.
   * `userIdOf`: each device's identity; `roomsOf`: the rooms a user is in
   * now (server truth); `departed`: per device, the groups it was removed
   * from or left (its ops there may have been refused).
   */
  async check(input: {
    pool: pg.Pool;
    clients: readonly NodeClient[];
    userIdOf: readonly string[];
    roomsOf: (userId: string) => string[];
    departed: readonly Set<string>[];
    acks: readonly ReadonlyMap<string, { id: string; seq: number }>[];
    enqueuedContent: (c: number, clientId: string) => string | undefined;
    problems: string[];
  }): Promise<void> {
    const { pool, clients, userIdOf, roomsOf, departed, acks, problems } = input;
    const counts = this.counts;
    const deviceOf = new Map(userIdOf.map((userId, c) => [userId, c]));
    /** A pair as words: the emoji and the device of its user. */
    const named = (pair: string) => {
      const userId = pair.slice(pair.indexOf(' ') + 1);
      return `${pair.slice(0, pair.indexOf(' '))} of client ${deviceOf.get(userId) ?? userId}`;
    };
    const say = (() => {
      let said = 0;
      return (problem: string) => {
        if (++said <= 40) problems.push(problem);
        else if (said === 41) problems.push('… more message-action problems left out');
      };
    })();

    // --- The server's state --------------------------------------------
    const { rows: messages } = await pool.query<{ id: string; room_id: string; seq: number; user_id: string; client_id: string | null; content: string; edited: boolean; deleted: boolean }>(
      `SELECT id, room_id, seq::int AS seq, user_id::text AS user_id, client_id, content,
              edited_at IS NOT NULL AS edited, deleted_at IS NOT NULL AS deleted FROM messages`,
    );
    const { rows: reactionRows } = await pool.query<{ message_id: string; user_id: string; emoji: string }>(
      'SELECT message_id, user_id::text AS user_id, emoji FROM message_reactions',
    );
    const { rows: entries } = await pool.query<{ id: string; room_id: string; seq: number; user_id: string; client_id: string | null; kind: string; data: { message_id?: string; content?: string | null; emoji?: string } }>(
      `SELECT id, room_id, seq::int AS seq, user_id::text AS user_id, client_id, kind, data FROM room_events
        WHERE kind IN ('edit', 'delete', 'react', 'unreact') ORDER BY room_id, seq`,
    );
    const { rows: applied } = await pool.query<{ user_id: string; client_id: string; entry_id: string; op: string }>(
      `SELECT user_id::text AS user_id, client_id, entry_id, op FROM applied_ops WHERE op IN ('edit', 'delete', 'react', 'unreact')`,
    );
    const byId = new Map(messages.map((m) => [m.id, m]));
    const byAuthor = new Map(messages.filter((m) => m.client_id !== null).map((m) => [`${m.user_id}/${m.client_id}`, m]));
    const reactionsOf = new Map<string, Set<string>>();
    for (const row of reactionRows) {
      const set = reactionsOf.get(row.message_id) ?? new Set<string>();
      set.add(`${row.emoji} ${row.user_id}`);
      reactionsOf.set(row.message_id, set);
      if (!byId.has(row.message_id)) say(`reaction ${row.emoji} of ${row.user_id} on ${row.message_id}, which is not stored`);
    }
    counts.tombstones = messages.filter((m) => m.deleted).length;
    for (const kind of ['edit', 'delete', 'react', 'unreact'] as const) {
      const n = entries.filter((entry) => entry.kind === kind).length;
      if (kind === 'edit') counts.editEntries = n;
      else if (kind === 'delete') counts.deleteEntries = n;
      else if (kind === 'react') counts.reactEntries = n;
      else counts.unreactEntries = n;
    }

    // --- E3: every op at most one entry, and one this run queued ----------
    const entriesOfOp = new Map<string, typeof entries>();
    for (const entry of entries) {
      const target = entry.data.message_id === undefined ? undefined : byId.get(entry.data.message_id);
      if (!target) say(`${entry.kind} entry seq ${entry.seq} in ${entry.room_id} names ${entry.data.message_id}, which is not stored`);
      else if (target.room_id !== entry.room_id) say(`${entry.kind} entry seq ${entry.seq} in ${entry.room_id} names a message of ${target.room_id}`);
      if (entry.client_id === null) {
        say(`${entry.kind} entry seq ${entry.seq} in ${entry.room_id} has no client_id`);
        continue;
      }
      const key = `${entry.user_id}/${entry.client_id}`;
      entriesOfOp.set(key, [...(entriesOfOp.get(key) ?? []), entry]);
      const queued = this.ops.get(entry.client_id);
      if (!queued || userIdOf[queued.c] !== entry.user_id) say(`${entry.kind} entry seq ${entry.seq} in ${entry.room_id} (op ${key}): no device queued that op`);
      else if (queued.op.op !== entry.kind) say(`op ${key} was queued as ${queued.op.op} but logged as ${entry.kind}`);
      // Its ack names the entry (E3, P3).
      const ack = queued ? acks[queued.c].get(entry.client_id) : undefined;
      if (ack && (ack.id !== entry.id || ack.seq !== entry.seq)) say(`op ${key} acked as ${ack.id}/${ack.seq} but its entry is ${entry.id}/${entry.seq}`);
    }
    for (const [key, list] of entriesOfOp) {
      if (list.length > 1) say(`op ${key} made ${list.length} log entries (seqs ${list.map((e) => `${e.room_id.slice(-4)}#${e.seq}`).join(', ')}): an op applies once (E3)`);
    }
    // Every op queued was applied once, or refused (a failed row, judged by
    // chaos.ts), or taken back before it left, and then never applied.
    for (const oddity of this.oddities) say(oddity);
    const appliedByKey = new Map(applied.map((row) => [`${row.user_id}/${row.client_id}`, row]));
    const failed = await Promise.all(clients.map(async (client) => new Set((await client.unsent()).filter((row) => row.status === 'failed').map((row) => row.client_id))));
    for (const [clientId, { c, op }] of this.ops) {
      const key = `${userIdOf[c]}/${clientId}`;
      const wasApplied = appliedByKey.has(key);
      if (wasApplied) counts.opsApplied++;
      const ack = acks[c].get(clientId);
      if (ack) counts.opsAcked++;
      if (this.cancelled.has(clientId)) {
        if (wasApplied || ack) say(`client ${c}: ${op.op} op ${clientId} was taken back before it left (X4), yet the server applied it`);
        continue;
      }
      if (ack && !wasApplied) say(`client ${c}: ${op.op} op ${clientId} acked but not in applied_ops`);
      if (!wasApplied && !failed[c].has(clientId)) say(`client ${c}: ${op.op} op ${clientId} (${JSON.stringify(op).slice(0, 120)}) neither applied nor refused: lost`);
    }

    // --- Deleted messages have no words, on the server ------------------
    for (const entry of entries) {
      if (entry.kind !== 'edit') continue;
      const target = byId.get(entry.data.message_id ?? '');
      if (target?.deleted && entry.data.content !== null) say(`edit entry seq ${entry.seq} of deleted message ${target.id} still carries content ${JSON.stringify(entry.data.content)}`);
      if (target && !target.deleted && typeof entry.data.content !== 'string') say(`edit entry seq ${entry.seq} of message ${target.id} (not deleted) has no content`);
    }
    const editedIds = new Set(entries.filter((entry) => entry.kind === 'edit').map((entry) => entry.data.message_id));
    for (const m of messages) {
      if (!m.deleted && m.edited !== editedIds.has(m.id)) say(`message ${m.id}: edited_at ${m.edited ? 'set' : 'unset'} on the server, but ${editedIds.has(m.id) ? 'an' : 'no'} edit entry names it`);
      if (m.deleted && m.content !== '') say(`deleted message ${m.id} has content on the server`);
      if (m.deleted && reactionsOf.has(m.id)) say(`deleted message ${m.id} still has reactions on the server`);
    }

    // --- Withdrawn messages never reached the server --------------------
    for (const action of this.actions) {
      if (action.kind !== 'delete' || !action.withdrew) continue;
      counts.withdrawn++;
      const stored = byAuthor.get(`${userIdOf[action.c]}/${action.clientId}`);
      if (stored) say(`client ${action.c}: message ${action.clientId} deleted before it left the device, yet stored as ${stored.id} (seq ${stored.seq} of ${stored.room_id})`);
      if (acks[action.c].has(action.clientId)) say(`client ${action.c}: message ${action.clientId} deleted before it left the device, yet acked`);
    }

    // --- E5: the server's state is what each author and reactor did last --
    // Per stored message: the author's last words (or its delete), and per
    // (reactor, emoji) the last tap. Ops of a device in a group it left or
    // was removed from may have been refused: those are not judged here.
    const lastWords = new Map<string, { content: string; c: number; roomId: string }>();
    const wantReaction = new Map<string, Map<string, boolean>>();
    for (const action of this.actions) {
      if (action.kind === 'react') {
        const target =
          action.ref.id !== null ? byId.get(action.ref.id) : action.ref.clientId !== null ? byAuthor.get(`${userIdOf[action.c]}/${action.ref.clientId}`) : undefined;
        if (!target) continue;
        const wants = wantReaction.get(target.id) ?? new Map<string, boolean>();
        wants.set(`${action.emoji} ${userIdOf[action.c]}`, action.on);
        wantReaction.set(target.id, wants);
        continue;
      }
      if (action.kind === 'edit' && lastWords.get(`${action.c}/${action.clientId}`)?.content === '') continue;
      lastWords.set(`${action.c}/${action.clientId}`, { content: action.kind === 'delete' ? '' : action.content, c: action.c, roomId: action.roomId });
    }
    for (const m of messages) {
      const c = deviceOf.get(m.user_id);
      if (c === undefined || m.client_id === null) continue;
      const judged = !departed[c].has(m.room_id);
      const words = lastWords.get(`${c}/${m.client_id}`);
      const expected = words?.content ?? input.enqueuedContent(c, m.client_id);
      if (judged && expected !== undefined) {
        if (expected === '' && !m.deleted) say(`message ${m.id} (client ${c}, ${m.room_id}): deleted by its author, but not on the server`);
        else if (expected !== '' && m.deleted) say(`message ${m.id} (client ${c}, ${m.room_id}): deleted on the server, but its author never deleted it`);
        else if (expected !== '' && m.content !== expected) say(`message ${m.id} (client ${c}, ${m.room_id}): the server has ${JSON.stringify(m.content.slice(0, 40))}, its author's last words are ${JSON.stringify(expected.slice(0, 40))}`);
      }
      const wants = wantReaction.get(m.id);
      const has = reactionsOf.get(m.id) ?? new Set<string>();
      const judgedReactor = (pair: string) => {
        const reactor = deviceOf.get(pair.slice(pair.indexOf(' ') + 1));
        return reactor !== undefined && !departed[reactor].has(m.room_id);
      };
      for (const [pair, on] of wants ?? []) {
        if (!judgedReactor(pair)) continue;
        const want = on && !m.deleted;
        if (want !== has.has(pair)) say(`message ${m.id} (${m.room_id}): reaction ${named(pair)} is ${has.has(pair) ? 'on' : 'off'} on the server, its user's last tap was ${on ? 'on' : 'off'}${m.deleted ? ' (the message is deleted)' : ''}`);
      }
      for (const pair of has) {
        if (!wants?.has(pair)) say(`message ${m.id}: reaction ${named(pair)} on the server, which nobody tapped`);
      }
    }

    // --- Every device's cached copies are the server's state --------------
    /** For a difference: the message's log entries, and what the device acked of them. */
    const story = (c: number, m: (typeof messages)[number]) => {
      const told = entries
        .filter((entry) => entry.data.message_id === m.id)
        .map((entry) => {
          const by = deviceOf.get(entry.user_id);
          const acked = by !== undefined && entry.client_id !== null && acks[by].has(entry.client_id) ? ' acked' : '';
          const detail = entry.kind === 'edit' ? ` ${JSON.stringify(entry.data.content?.slice(0, 20) ?? null)}` : entry.data.emoji ? ` ${entry.data.emoji}` : '';
          return `#${entry.seq} ${entry.kind}${detail} by client ${by ?? entry.user_id} (op ${entry.client_id}${acked})`;
        });
      return ` [log of the message: ${told.join('; ') || 'none'}; client ${c}'s cursor of the room ${clients[c].syncedSeq(m.room_id)}]`;
    };
    for (const [c, client] of clients.entries()) {
      for (const roomId of roomsOf(userIdOf[c])) {
        for (const held of await client.view(roomId)) {
          counts.copiesCompared++;
          const m = byId.get(held.id);
          if (!m) {
            say(`client ${c} holds message ${held.id} (seq ${held.seq} of ${roomId}), which the server does not have`);
            continue;
          }
          const what = `client ${c}: message ${m.id} (seq ${m.seq} of ${roomId.slice(-6)}, by client ${deviceOf.get(m.user_id) ?? m.user_id})`;
          const deleted = held.deleted === true;
          if (deleted !== m.deleted) say(`${what}: ${deleted ? 'deleted' : 'not deleted'} on the device, ${m.deleted ? 'deleted' : 'not deleted'} on the server${story(c, m)}`);
          if (held.content !== m.content) say(`${what}: content ${JSON.stringify(held.content.slice(0, 40))} on the device, ${JSON.stringify(m.content.slice(0, 40))} on the server${story(c, m)}`);
          if (deleted && (held.content !== '' || (held.reactions?.length ?? 0) > 0)) say(`${what}: a deleted message that keeps words or reactions on the device`);
          if (!m.deleted && (held.edited_at !== undefined) !== m.edited) say(`${what}: ${held.edited_at !== undefined ? 'edited' : 'not edited'} on the device, ${m.edited ? 'edited' : 'not edited'} on the server`);
          const pairs = new Set<string>();
          for (const reaction of held.reactions ?? []) {
            const users = new Set(reaction.user_ids);
            if (users.size !== reaction.user_ids.length) say(`${what}: ${reaction.emoji} lists a user twice (${reaction.user_ids.join(', ')})`);
            if (reaction.count !== reaction.user_ids.length) say(`${what}: ${reaction.emoji} counts ${reaction.count} but names ${reaction.user_ids.length}`);
            if (reaction.user_ids.length === 0) say(`${what}: ${reaction.emoji} with nobody`);
            for (const userId of reaction.user_ids) pairs.add(`${reaction.emoji} ${userId}`);
          }
          const server = reactionsOf.get(m.id) ?? new Set<string>();
          const extra = [...pairs].filter((pair) => !server.has(pair));
          const missing = [...server].filter((pair) => !pairs.has(pair));
          if (extra.length + missing.length > 0) {
            say(
              `${what}: reactions differ from the server's${extra.length ? `; on the device only: ${extra.map(named).join(', ')}` : ''}` +
                `${missing.length ? `; on the server only: ${missing.map(named).join(', ')}` : ''}${story(c, m)}`,
            );
          }
        }
      }
    }
  }
}

/** The report's line about message actions. */
export function formatActionCounts(a: MessageActionCounts): string {
  return (
    `  message actions: ${a.edits} edits (${a.editsRewritingMessage} rewrote an unsent message, ${a.editsRewritingEdit} an unsent edit, ${a.editsQueued} queued an op), ` +
    `${a.deletes} deletes (${a.deletesWithdrawing} of messages that never left, ${a.deletesQueued} queued an op), ` +
    `${a.reactions} reaction taps (${a.reactionsOn} on, ${a.reactionsOff} off; ${a.reactionsQueued} queued an op, ${a.reactionsNettedOut} netted out, ${a.reactionsUnchanged} changed nothing; ${a.toggles} quick toggles), ` +
    `${a.onOutboxMessages} on own messages still in the outbox, ${a.onOthersMessages} on others';\n` +
    `    ${a.opsQueued} ops queued (${a.opsByClientId} naming an own message by client_id), ${a.opsCancelled} taken back before they left, ${a.opsApplied} applied, ${a.opsAcked} acked; log: ${a.editEntries} edit, ${a.deleteEntries} delete, ${a.reactEntries} react, ${a.unreactEntries} unreact entries; ` +
    `${a.tombstones} tombstones, ${a.withdrawn} messages withdrawn before they left; ${a.copiesCompared} cached copies compared`
  );
}
