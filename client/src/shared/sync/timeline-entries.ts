import { OpName, REPLY_EXCERPT_LENGTH, RoomKind, type LogEvent, type MessageOp, type Receipt, type User } from '@whisper/protocol';
import { isOpRow, isQuietRow } from '../db/outbox.table';
import type { CachedMessage, FileRow, OutboxItem, OutboxOp } from '../db/whisper-db';
import { failureText } from './failure-text';
import { applyMessageOp, isMessageEvent, isMessageOp, names } from './message-state';
import { noticeNames, personOf } from './names';
import { noticeText, opNoticeText, type NoticeEvent } from './notices';
import type { ActionFailure, AttachmentView, QuoteView, ReactionView, TimelineEntry, TimelineItem, TimelineNotice } from './timeline';

/** Everything a timeline entry is built with besides the row itself. */
export interface TimelineContext {
  me: string | undefined;
  users: ReadonlyMap<string, User>;
  /** The room's kind: "the group" or "the room" in notices. */
  kind: RoomKind;
  /** L4: the other members' markers (DMs and groups), for the ticks beside own messages. */
  receipts?: readonly Receipt[];
  /** F2: the files of outbox messages, by client_id. */
  files?: ReadonlyMap<string, FileRow[]>;
}

/** F2: an acked message's file, shown from this device until the broadcast copy names the stored one. */
const localView = (file: FileRow): AttachmentView => ({
  key: file.id,
  kind: file.kind,
  mime: file.mime,
  size: file.size,
  width: file.width,
  height: file.height,
  durationMs: file.duration_ms,
  thumbhash: null,
  waveform: file.waveform,
  mediaId: null,
  blob: file.blob,
  uploaded: file.size,
  uploading: false,
});

/** F6: a message's files as shown: the server's, or (only in the outbox) this device's with their progress. */
function attachmentViews(entry: Shown, context: TimelineContext): AttachmentView[] {
  const { row, message } = entry;
  if (row) {
    const files = new Map((context.files?.get(row.client_id) ?? []).map((file) => [file.id, file]));
    return (row.attachments ?? []).map((attachment) => {
      const file = files.get(attachment.file_id);
      return {
        key: attachment.file_id,
        kind: attachment.kind,
        mime: attachment.mime,
        size: attachment.size,
        width: attachment.width,
        height: attachment.height,
        durationMs: attachment.duration_ms,
        thumbhash: null,
        waveform: attachment.waveform,
        mediaId: null,
        blob: file?.blob ?? null,
        uploaded: file?.state === 'done' ? attachment.size : (file?.upload_offset ?? 0),
        uploading: file?.state !== 'done',
      };
    });
  }
  if (message.local_files && message.client_id) return (context.files?.get(message.client_id) ?? []).map(localView);
  return (message.attachments ?? []).map((stored) => ({
    key: stored.id,
    kind: stored.kind,
    mime: stored.mime,
    size: stored.size,
    width: stored.width,
    height: stored.height,
    durationMs: stored.duration_ms,
    thumbhash: stored.thumbhash,
    waveform: stored.waveform,
    mediaId: stored.id,
    blob: null,
    uploaded: stored.size,
    uploading: false,
  }));
}

/** L4: how far an own stored message has got with the others: delivered to all, read by all, and who read it. */
function receiptOf(seq: number | null, own: boolean, context: TimelineContext): Pick<TimelineItem, 'receipt' | 'readBy'> {
  const others = context.receipts ?? [];
  if (!own || seq === null || others.length === 0 || context.kind === RoomKind.Public) return { receipt: null, readBy: [] };
  const readers = others.filter((receipt) => receipt.read_seq >= seq);
  const receipt = readers.length === others.length ? 'read' : others.every((r) => r.delivered_seq >= seq) ? 'delivered' : null;
  const readBy = context.kind === RoomKind.Group ? readers.map((r) => personOf(context.users, r.user_id).display_name) : [];
  return { receipt, readBy };
}

function sender(context: TimelineContext, userId: string | null): Pick<TimelineItem, 'senderName' | 'senderColor' | 'senderAvatar'> {
  const person = personOf(context.users, userId ?? '');
  return { senderName: person.display_name, senderColor: person.color, senderAvatar: person.avatar ?? null };
}

/** A message as the timeline will show it: stored or only in the outbox, with this device's pending actions laid over it. */
interface Shown {
  message: CachedMessage;
  /** Only in the outbox (C1): its row. */
  row: OutboxItem | null;
  pendingAction: TimelineItem['pendingAction'];
  pendingReactions: Set<string>;
  failures: ActionFailure[];
}

const shownStored = (message: CachedMessage): Shown => ({ message, row: null, pendingAction: null, pendingReactions: new Set(), failures: [] });

/** An outbox row as the message it will be once stored (no server id or seq yet). */
function shownFromOutbox(item: OutboxItem, me: string | undefined): Shown {
  const { quote } = item;
  const message: CachedMessage = {
    id: '',
    seq: 0,
    room_id: item.room_id,
    user_id: item.user_id ?? me ?? '',
    client_id: item.client_id,
    content: item.content,
    created_at: item.created_at,
    ...(quote ? { reply_to: { id: quote.id ?? '', user_id: quote.user_id, seq: quote.seq ?? 0, excerpt: quote.excerpt } } : {}),
  };
  return { ...shownStored(message), row: item };
}

const ACTION_LABEL: Record<MessageOp['op'], string> = { edit: 'Edit', delete: 'Delete', react: 'Reaction', unreact: 'Removing the reaction' };

/** X4: this device's actions on messages, in enqueue order, laid over the messages they name; refused ones are listed, not applied. */
function layActions(shown: Shown[], actions: OutboxItem[], me: string | undefined): void {
  for (const row of actions) {
    if (!isOpRow(row) || !isMessageOp(row.op)) continue;
    const op = row.op;
    const target = shown.find((entry) => names(op, { id: entry.message.id || null, client_id: entry.message.client_id }) && (op.message_id !== undefined || entry.message.user_id === (row.user_id ?? me)));
    if (!target) continue;
    if (row.status === 'failed') {
      const emoji = op.op === OpName.React || op.op === OpName.Unreact ? ` ${op.emoji}` : '';
      target.failures.push({ clientId: row.client_id, label: `${ACTION_LABEL[op.op]}${emoji}`, reason: failureText(row) ?? '' });
      continue;
    }
    target.message = applyMessageOp(target.message, op, row.user_id ?? me ?? '', row.created_at);
    if (op.op === OpName.Edit || op.op === OpName.Delete) target.pendingAction = op.op;
    else target.pendingReactions.add(op.emoji);
  }
}

function quoteView(reply: Shown, shown: Shown[], context: TimelineContext): QuoteView | null {
  const quote = reply.message.reply_to;
  if (!quote) return null;
  // A reply written before its target was acked names it by client_id.
  const targetClientId = reply.row?.quote?.client_id ?? null;
  // The quoted message as this device shows it now, when it is in the window (edited or deleted since, say).
  const local = shown.find(
    ({ message }) => (quote.id !== '' && message.id === quote.id) || (targetClientId !== null && message.client_id === targetClientId && message.user_id === quote.user_id),
  );
  const deleted = local ? local.message.deleted === true : quote.deleted === true;
  return {
    id: local ? local.message.id || null : quote.id || null,
    clientId: local?.message.client_id ?? null,
    seq: local ? local.message.seq || null : quote.seq || null,
    senderName: personOf(context.users, quote.user_id).display_name,
    excerpt: deleted ? '' : (local?.message.content ?? quote.excerpt).slice(0, REPLY_EXCERPT_LENGTH),
    deleted,
  };
}

function reactionViews(entry: Shown, context: TimelineContext): ReactionView[] {
  return (entry.message.reactions ?? []).map((reaction) => ({
    emoji: reaction.emoji,
    count: reaction.count,
    mine: context.me !== undefined && reaction.user_ids.includes(context.me),
    names: reaction.user_ids.map((id) => (id === context.me ? 'You' : personOf(context.users, id).display_name)),
    pending: entry.pendingReactions.has(reaction.emoji),
  }));
}

function toItem(entry: Shown, shown: Shown[], context: TimelineContext): TimelineItem {
  const { message, row } = entry;
  const own = row !== null || (context.me !== undefined && message.user_id === context.me);
  const failed = row?.status === 'failed';
  return {
    kind: 'message',
    key: message.client_id && own ? message.client_id : message.id,
    id: row ? null : message.id,
    clientId: message.client_id,
    seq: row ? null : message.seq,
    userId: message.user_id || null,
    ...sender(context, message.user_id || null),
    content: message.content,
    // Own messages keep the time they were written, not the server's (C6).
    createdAt: message.written_at ?? message.created_at,
    own,
    status: row ? row.status : own ? 'sent' : null,
    ...receiptOf(row ? null : message.seq, own, context),
    error: row ? failureText(row) : null,
    // Written by an identity the server no longer knows: sending it as the
    // current one could store it twice (P1), so it can only be deleted.
    retryable: failed && row?.error_code !== 'signed_out',
    replyTo: quoteView(entry, shown, context),
    editedAt: message.edited_at ?? null,
    deleted: message.deleted === true,
    reactions: reactionViews(entry, context),
    pendingAction: entry.pendingAction,
    actionFailures: entry.failures,
    attachments: attachmentViews(entry, context),
  };
}

function fromEvent(event: NoticeEvent, context: TimelineContext): TimelineNotice {
  return { kind: 'notice', key: event.id, seq: event.seq, text: noticeText(event, context.kind, noticeNames(context.users, context.me)), createdAt: event.created_at, pending: false, failure: null };
}

/** A room op of this device (M4), told as the notice its entry will be. */
function fromRoomOp(item: OutboxItem & { op: OutboxOp }, context: TimelineContext): TimelineNotice {
  const failed = item.status === 'failed';
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

/**
 * The room's stored log (messages and events) in seq order, then this
 * device's unconfirmed rows (messages and room ops) in enqueue order (C1,
 * C5), with its unconfirmed actions on messages laid over them (X4).
 */
export function timelineEntries(messages: CachedMessage[], events: LogEvent[], outbox: OutboxItem[], context: TimelineContext): TimelineEntry[] {
  // Defensive: a message both stored and queued is shown once, as stored.
  const storedIds = new Set(messages.filter((m) => m.user_id === context.me).map((m) => m.client_id));
  const queued = outbox.filter((item) => !storedIds.has(item.client_id));
  const shown = [...messages.map(shownStored), ...queued.filter((item) => !isOpRow(item)).map((item) => shownFromOutbox(item, context.me))];
  layActions(shown, queued, context.me);
  const byKey = new Map(shown.map((entry) => [entry.row?.client_id ?? entry.message.id, toItem(entry, shown, context)]));
  const notices = events.filter((event): event is NoticeEvent => !isMessageEvent(event)).map((e) => fromEvent(e, context));
  const stored: TimelineEntry[] = [...messages.map((m) => byKey.get(m.id)!), ...notices];
  stored.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const unconfirmed = queued.flatMap((item): TimelineEntry[] => {
    if (!isOpRow(item)) return [byKey.get(item.client_id)!];
    // Message actions show on their message; a read marker nowhere.
    return isMessageOp(item.op) || isQuietRow(item) ? [] : [fromRoomOp(item, context)];
  });
  return [...stored, ...unconfirmed];
}

/** Everyone a timeline names: senders, actors and the people they acted on. */
export function peopleOf(messages: CachedMessage[], events: LogEvent[], outbox: OutboxItem[]): string[] {
  const ids = new Set<string>(messages.map((m) => m.user_id));
  for (const message of messages) {
    if (message.reply_to) ids.add(message.reply_to.user_id);
    for (const reaction of message.reactions ?? []) for (const id of reaction.user_ids) ids.add(id);
  }
  for (const event of events) {
    ids.add(event.user_id);
    if (event.kind === 'member') for (const id of event.user_ids) ids.add(id);
  }
  for (const item of outbox) {
    if (item.user_id) ids.add(item.user_id);
    if (item.quote) ids.add(item.quote.user_id);
    if (isOpRow(item) && 'user_ids' in item.op) for (const id of item.op.user_ids) ids.add(id);
  }
  return [...ids];
}
