import type { AckFrame, Attachment, RejectedFrame } from '../protocol/index.js';
import { UnknownRoomError, isStored, type StoredMessage } from './messages-repository.js';
import type { MessageWriter } from './message-writer.js';
import { ErrorCode } from '../protocol/index.js';
import {
  isRejection,
  toRejectedFrames,
  validateItem,
  type ItemRejection,
  type ValidItem,
} from './message-validation.js';

export interface SendOutcome {
  /** P3, for the stored items in request order; null when none was stored. */
  ack: AckFrame | null;
  /** P7, one frame per rejection code. */
  rejected: RejectedFrame[];
  /** Some items could not be stored now (database trouble); the client resends them. */
  unavailable: boolean;
}

/**
 * The one path a send takes, whether it came over the socket (P2) or REST
 * (P10): validate, store per room with group commit, then answer. Rooms
 * are stored independently: when one fails (database trouble) the others
 * are still acked, and the caller reports the rest as retryable; the
 * client's resend is idempotent (S3).
 */
/** F3: each valid item's attachments, once resolved (absent for an item without any). */
const attachmentsOf = new WeakMap<ValidItem, Attachment[]>();

/**
 * F3: every upload the send names, resolved in one query before the writer
 * (whose transaction stays as short as without attachments). An item naming
 * an upload that is not a finished upload of the sender's is refused (P7)
 * and the rest go on. A send without attachments awaits nothing here, so a
 * one-room send still reaches writer.write synchronously (see below).
 */
async function resolveAttachments(writer: MessageWriter, userId: string, byRoom: Map<string, ValidItem[]>, rejections: ItemRejection[]): Promise<void> {
  const uploadIds = [...byRoom.values()].flatMap((items) => items.flatMap((item) => item.uploadIds));
  if (uploadIds.length === 0) return;
  const resolved = await writer.resolveUploads(userId, [...new Set(uploadIds)]);
  for (const [roomId, items] of byRoom) {
    const kept = items.filter((item) => {
      const missing = item.uploadIds.find((id) => !resolved.has(id));
      if (missing === undefined) {
        if (item.uploadIds.length > 0) attachmentsOf.set(item, item.uploadIds.map((id) => resolved.get(id)!));
        return true;
      }
      rejections.push({
        index: item.index,
        clientId: item.clientId,
        code: ErrorCode.InvalidAttachment,
        message: `attachment ${missing} is not a finished upload of yours (upload it first, and wait for the upload to complete)`,
      });
      return false;
    });
    if (kept.length === 0) byRoom.delete(roomId);
    else byRoom.set(roomId, kept);
  }
}

export async function sendMessages(writer: MessageWriter, userId: string, data: unknown[]): Promise<SendOutcome> {
  const rejections: ItemRejection[] = [];
  const byRoom = new Map<string, ValidItem[]>();
  data.forEach((raw, index) => {
    const result = validateItem(raw, index, userId);
    if (isRejection(result)) {
      rejections.push(result);
      return;
    }
    const items = byRoom.get(result.roomId) ?? [];
    items.push(result);
    byRoom.set(result.roomId, items);
  });

  await resolveAttachments(writer, userId, byRoom, rejections);

  // R2: each room is written in a transaction of its own, so a batch naming
  // up to 100 made-up rooms would cost 100 transactions (and pool slots)
  // where a valid batch costs one. Unknown rooms are weeded out in a single
  // query first; a room that vanishes after it is still caught by the writer.
  if (byRoom.size > 1) {
    const existing = await writer.postableRooms(userId, [...byRoom.keys()]);
    for (const [roomId, items] of byRoom) {
      if (existing.has(roomId)) continue;
      byRoom.delete(roomId);
      const { message } = new UnknownRoomError(roomId);
      for (const item of items) rejections.push({ index: item.index, clientId: item.clientId, code: ErrorCode.UnknownRoom, message });
    }
  }

  const stored = new Map<number, StoredMessage>();
  // For a send naming one room nothing above awaits, so writer.write runs
  // before sendMessages returns: chat-socket relies on this to hand
  // consecutive frames to the writer in arrival order (S4).
  const outcomes = await Promise.allSettled(
    [...byRoom].map(async ([roomId, items]) => {
      try {
        const results = await writer.write(
          roomId,
          items.map((item) => ({ userId, clientId: item.clientId, content: item.content, replyTo: item.replyTo, attachments: attachmentsOf.get(item) })),
        );
        results.forEach((result, i) => {
          if (isStored(result)) stored.set(items[i].index, result);
          else rejections.push({ index: items[i].index, clientId: items[i].clientId, code: ErrorCode.UnknownRoom, message: new UnknownRoomError(roomId).message });
        });
      } catch (error) {
        if (!(error instanceof UnknownRoomError)) throw error;
        for (const item of items) {
          rejections.push({
            index: item.index,
            clientId: item.clientId,
            code: ErrorCode.UnknownRoom,
            message: error.message,
          });
        }
      }
    }),
  );
  const unavailable = outcomes.some((outcome) => outcome.status === 'rejected');

  const accepted = [...stored.entries()].sort(([a], [b]) => a - b).map(([, result]) => result.message);
  const ack: AckFrame | null =
    accepted.length === 0
      ? null
      : {
          type: 'message_ids',
          status: 'success',
          message_ids: accepted.map((m) => m.id),
          client_ids: accepted.map((m) => m.client_id),
          seqs: accepted.map((m) => m.seq),
        };
  return { ack, rejected: toRejectedFrames(rejections.sort((a, b) => a.index - b.index)), unavailable };
}
