import { OpName, type LogEvent, type MessageEvent, type MessageOp, type Reaction } from '@whisper/protocol';
import type { CachedMessage, OutboxOp } from '../db/whisper-db';

/**
 * How edits, deletes and reactions change a message (X1–X4, E5), as pure
 * functions. The same code applies the server's log entries to the cache,
 * folds an acked op into it, and lays this device's pending ops over the
 * timeline (C1: local echo without any undo logic). Applied in seq order,
 * every device that has the same log shows the same message:
 *  - the last edit wins; a deleted message stays deleted (its words gone),
 *    whatever edit comes before or after;
 *  - a reaction is one per user per emoji: the later of react and unreact
 *    wins, and a repeated react changes nothing.
 */

const MESSAGE_EVENT_KINDS = new Set<string>(['edit', 'delete', 'react', 'unreact']);
const MESSAGE_OP_NAMES = new Set<string>([OpName.Edit, OpName.Delete, OpName.React, OpName.Unreact]);

export function isMessageEvent(event: LogEvent): event is MessageEvent {
  return MESSAGE_EVENT_KINDS.has(event.kind);
}

export function isMessageOp(op: OutboxOp): op is Extract<OutboxOp, { op: MessageOp['op'] }> {
  return MESSAGE_OP_NAMES.has(op.op);
}

/** The message a log entry or op names: by server id, or by the author's client_id while it may be unacked. */
export interface MessageTarget {
  message_id?: string;
  target_client_id?: string;
}

/** Whether `target` names this message (its server id, or the client_id of its author's own message). */
export function names(target: MessageTarget, message: { id: string | null; client_id: string | null }): boolean {
  if (target.message_id !== undefined) return target.message_id === message.id;
  return target.target_client_id !== undefined && target.target_client_id === message.client_id;
}

/** A deleted message as everyone sees it: a tombstone, no words, no reactions, no quote. */
export function tombstone<M extends CachedMessage>(message: M): M {
  const { reply_to: _reply, reactions: _reactions, edited_at: _edited, ...rest } = message;
  return { ...rest, content: '', deleted: true } as M;
}

/** Reactions with `userId`'s `emoji` added (once) or taken away; emoji keep the order they were first used in. */
export function withReaction(reactions: Reaction[] | undefined, emoji: string, userId: string, on: boolean): Reaction[] | undefined {
  const list = reactions ?? [];
  const index = list.findIndex((reaction) => reaction.emoji === emoji);
  const current = index < 0 ? undefined : list[index];
  const has = current?.user_ids.includes(userId) ?? false;
  if (has === on) return reactions;
  if (on) {
    const next = current ? { ...current, count: current.count + 1, user_ids: [...current.user_ids, userId] } : { emoji, count: 1, user_ids: [userId] };
    return index < 0 ? [...list, next] : list.map((reaction, i) => (i === index ? next : reaction));
  }
  const user_ids = current!.user_ids.filter((id) => id !== userId);
  const next = user_ids.length === 0 ? list.filter((_, i) => i !== index) : list.map((reaction, i) => (i === index ? { ...reaction, count: user_ids.length, user_ids } : reaction));
  return next.length === 0 ? undefined : next;
}

/** E5: one change to a message, by `userId` at `at`. Returns the same object when nothing changes. */
function change<M extends CachedMessage>(message: M, kind: MessageEvent['kind'], userId: string, at: string, detail: { content?: string | null; emoji?: string }): M {
  if (message.deleted) return message;
  switch (kind) {
    case 'edit':
      if (detail.content == null || detail.content === message.content) return message;
      return { ...message, content: detail.content, edited_at: at };
    case 'delete':
      return tombstone(message);
    case 'react':
    case 'unreact': {
      const reactions = withReaction(message.reactions, detail.emoji ?? '', userId, kind === 'react');
      if (reactions === message.reactions) return message;
      const next = { ...message, reactions };
      if (reactions === undefined) delete next.reactions;
      return next;
    }
  }
}

/** Which part of a message's state a change sets (CachedMessage.versions). */
function partOf(kind: MessageEvent['kind'], userId: string, emoji: string | undefined): string {
  return kind === 'edit' || kind === 'delete' ? 'text' : `reaction:${userId}:${emoji ?? ''}`;
}

/**
 * The change, made only when `seq` is later than the entry that last set the
 * same part (E5: log order, whatever order the entries arrived in), and
 * remembered as that part's version.
 */
function changeAt<M extends CachedMessage>(message: M, seq: number, kind: MessageEvent['kind'], userId: string, at: string, detail: { content?: string | null; emoji?: string }): M {
  const part = partOf(kind, userId, detail.emoji);
  if ((message.versions?.[part] ?? 0) >= seq) return message;
  const changed = change(message, kind, userId, at, detail);
  return { ...changed, versions: { ...message.versions, [part]: seq } };
}

/** E5: what the server's log entry does to the message it names. */
export function applyMessageEvent<M extends CachedMessage>(message: M, event: MessageEvent): M {
  return changeAt(message, event.seq, event.kind, event.user_id, event.kind === 'edit' ? event.edited_at : event.created_at, {
    content: event.kind === 'edit' ? event.content : undefined,
    emoji: event.kind === 'react' || event.kind === 'unreact' ? event.emoji : undefined,
  });
}

/**
 * A copy of a cached message that came again from the server (a catch-up
 * page, a broadcast, a history page): it stands as of its reading, which may
 * be older than entries this device has applied since (E5). Once entries
 * have set its state here (`versions`), that state is kept; the entries
 * after this device's cursor arrive anyway and settle the rest.
 */
export function mergeServerCopy<M extends CachedMessage>(incoming: M, cached: CachedMessage | undefined): M {
  if (!cached?.versions) return incoming;
  const { content, edited_at, deleted, reactions, versions } = cached;
  const { edited_at: _e, deleted: _d, reactions: _r, ...rest } = incoming;
  return { ...rest, content, versions, ...(edited_at ? { edited_at } : {}), ...(deleted ? { deleted } : {}), ...(reactions ? { reactions } : {}) } as M;
}

const OP_KIND: Record<MessageOp['op'], MessageEvent['kind']> = { edit: 'edit', delete: 'delete', react: 'react', unreact: 'unreact' };

/**
 * X4: what this device's op does to the message, as the server's entry for
 * it will: laid over the timeline while pending (no `seq`), or folded into
 * the cache when acked, at the seq the ack names.
 */
export function applyMessageOp<M extends CachedMessage>(message: M, op: Extract<OutboxOp, { op: MessageOp['op'] }>, userId: string, at: string, seq?: number): M {
  const kind = OP_KIND[op.op];
  const detail = {
    content: op.op === OpName.Edit ? op.content : undefined,
    emoji: op.op === OpName.React || op.op === OpName.Unreact ? op.emoji : undefined,
  };
  return seq === undefined ? change(message, kind, userId, at, detail) : changeAt(message, seq, kind, userId, at, detail);
}
