import type { LogEvent, RoomKind, User } from '@whisper/protocol';
import { isOpRow } from '../db/outbox.table';
import type { CachedMessage, OutboxItem } from '../db/whisper-db';
import { failureText } from './failure-text';
import { noticeNames, personOf } from './names';
import { noticeText, opNoticeText } from './notices';
import type { TimelineEntry, TimelineItem, TimelineNotice } from './timeline';

/** Everything a timeline entry is built with besides the row itself. */
export interface TimelineContext {
  me: string | undefined;
  users: ReadonlyMap<string, User>;
  /** The room's kind: "the group" or "the room" in notices. */
  kind: RoomKind;
}

function sender(context: TimelineContext, userId: string | null): Pick<TimelineItem, 'senderName' | 'senderColor'> {
  const person = personOf(context.users, userId ?? '');
  return { senderName: person.display_name, senderColor: person.color };
}

function fromMessage(message: CachedMessage, context: TimelineContext): TimelineItem {
  const own = context.me !== undefined && message.user_id === context.me;
  return {
    kind: 'message',
    key: message.client_id && own ? message.client_id : message.id,
    id: message.id,
    clientId: message.client_id,
    seq: message.seq,
    userId: message.user_id,
    ...sender(context, message.user_id),
    content: message.content,
    // Own messages keep the time they were written, not the server's (C6).
    createdAt: message.written_at ?? message.created_at,
    own,
    status: own ? 'sent' : null,
    error: null,
    retryable: false,
  };
}

function fromEvent(event: LogEvent, context: TimelineContext): TimelineNotice {
  return { kind: 'notice', key: event.id, seq: event.seq, text: noticeText(event, context.kind, noticeNames(context.users, context.me)), createdAt: event.created_at, pending: false, failure: null };
}

function fromOutbox(item: OutboxItem, context: TimelineContext): TimelineEntry {
  const failed = item.status === 'failed';
  if (isOpRow(item)) {
    return {
      kind: 'notice',
      key: item.client_id,
      seq: null,
      text: opNoticeText(item.op, context.kind, noticeNames(context.users, item.user_id ?? context.me)),
      createdAt: item.created_at,
      pending: !failed,
      failure: failed ? { clientId: item.client_id, reason: failureText(item) ?? '' } : null,
    };
  }
  const userId = item.user_id ?? context.me ?? null;
  return {
    kind: 'message',
    key: item.client_id,
    id: null,
    clientId: item.client_id,
    seq: null,
    userId,
    ...sender(context, userId),
    content: item.content,
    createdAt: item.created_at,
    own: true,
    status: item.status,
    error: failureText(item),
    // Written by an identity the server no longer knows: sending it as the
    // current one could store it twice (P1), so it can only be deleted.
    retryable: failed && item.error_code !== 'signed_out',
  };
}

/**
 * The room's stored log (messages and events) in seq order, then this
 * device's unconfirmed rows (messages and ops) in enqueue order (C1, C5).
 */
export function timelineEntries(messages: CachedMessage[], events: LogEvent[], outbox: OutboxItem[], context: TimelineContext): TimelineEntry[] {
  const stored: TimelineEntry[] = [...messages.map((m) => fromMessage(m, context)), ...events.map((e) => fromEvent(e, context))];
  stored.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  // Defensive: a message both stored and queued is shown once, as stored.
  const storedIds = new Set(messages.filter((m) => m.user_id === context.me).map((m) => m.client_id));
  return [...stored, ...outbox.filter((item) => !storedIds.has(item.client_id)).map((item) => fromOutbox(item, context))];
}

/** Everyone a timeline names: senders, actors and the people they acted on. */
export function peopleOf(messages: CachedMessage[], events: LogEvent[], outbox: OutboxItem[]): string[] {
  const ids = new Set<string>(messages.map((m) => m.user_id));
  for (const event of events) {
    ids.add(event.user_id);
    if (event.kind === 'member') for (const id of event.user_ids) ids.add(id);
  }
  for (const item of outbox) {
    if (item.user_id) ids.add(item.user_id);
    if (isOpRow(item) && 'user_ids' in item.op) for (const id of item.op.user_ids) ids.add(id);
  }
  return [...ids];
}
