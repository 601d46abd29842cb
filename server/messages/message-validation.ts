import {
  CLIENT_ID_PATTERN,
  DEFAULT_ROOM_ID,
  ErrorCode,
  MAX_ATTACHMENTS,
  MAX_CONTENT_LENGTH,
  ROOM_ID_PATTERN,
  UPLOAD_ID_PATTERN,
  type RejectedFrame,
} from '../protocol/index.js';

/** An item of a P2 send that passed every check that needs no database. */
export interface ValidItem {
  /** Position in the request's `data`, so acks keep request order (P3). */
  index: number;
  roomId: string;
  clientId: string | null;
  content: string;
  /** X1: what the item quotes (a server id or the sender's own client_id), resolved when stored. */
  replyTo: string | null;
  /** F3: the uploads it carries, in order (resolved to media before the writer). */
  uploadIds: string[];
}

export interface ItemRejection {
  index: number;
  clientId: string | null;
  code: ErrorCode;
  message: string;
}

const clientIdPattern = new RegExp(CLIENT_ID_PATTERN);
const roomIdPattern = new RegExp(ROOM_ID_PATTERN);
const uploadIdPattern = new RegExp(UPLOAD_ID_PATTERN);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with a message's text, or null: the same rules for a new
 * message (P2) and an edit (X2).
 */
export function contentProblem(content: string, captionOnly = false): string | null {
  // F3: with attachments the text is a caption, and may be left out.
  if (!captionOnly && content.trim().length === 0) return 'content is empty';
  if (content.length > MAX_CONTENT_LENGTH) return `content is longer than ${MAX_CONTENT_LENGTH} characters`;
  // PostgreSQL text cannot hold NUL, and lone surrogates are not text.
  if (content.includes('\u0000') || !content.isWellFormed()) return 'content contains NUL or malformed Unicode';
  return null;
}

/**
 * Checks one P2 item against the socket's identity. Anything wrong with an
 * item is final (P7): resending the same bytes can never succeed.
 */
export function validateItem(raw: unknown, index: number, userId: string): ValidItem | ItemRejection {
  if (!isRecord(raw)) {
    return { index, clientId: null, code: ErrorCode.InvalidMessage, message: 'each item must be an object' };
  }
  const clientId = typeof raw.client_id === 'string' && clientIdPattern.test(raw.client_id) ? raw.client_id : null;
  const reject = (code: ErrorCode, message: string): ItemRejection => ({ index, clientId, code, message });

  if (raw.client_id !== undefined && raw.client_id !== null && clientId === null) {
    return reject(ErrorCode.InvalidMessage, `client_id must match ${CLIENT_ID_PATTERN}`);
  }
  if (raw.user_id !== undefined && raw.user_id !== userId) {
    return reject(ErrorCode.Forbidden, 'user_id does not match the authenticated user');
  }
  const roomId = raw.room_id ?? DEFAULT_ROOM_ID;
  if (typeof roomId !== 'string' || !roomIdPattern.test(roomId)) {
    return reject(ErrorCode.UnknownRoom, 'room_id is not a valid room');
  }
  const { content } = raw;
  if (typeof content !== 'string') {
    return reject(ErrorCode.InvalidMessage, 'content must be a string');
  }
  const uploadIds = attachmentUploadIds(raw.attachments);
  if (typeof uploadIds === 'string') return reject(ErrorCode.InvalidAttachment, uploadIds);
  const problem = contentProblem(content, uploadIds.length > 0);
  if (problem !== null) return reject(ErrorCode.InvalidContent, problem);
  // X1: a quote that names nothing in the room is dropped when the message is
  // stored, so only a reply_to that is not even a string refuses the item.
  const replyTo = raw.reply_to ?? null;
  if (replyTo !== null && typeof replyTo !== 'string') {
    return reject(ErrorCode.InvalidMessage, 'reply_to must be a message id or a client_id');
  }
  return { index, roomId, clientId, content, replyTo: typeof replyTo === 'string' && clientIdPattern.test(replyTo) ? replyTo : null, uploadIds };
}

/** F3: an item's upload ids (none when it has no `attachments`), or what is wrong with them. */
function attachmentUploadIds(attachments: unknown): string[] | string {
  if (attachments === undefined || attachments === null) return [];
  if (!Array.isArray(attachments) || attachments.length === 0 || attachments.length > MAX_ATTACHMENTS) {
    return `attachments must be a list of 1–${MAX_ATTACHMENTS} uploads`;
  }
  const ids: string[] = [];
  for (const attachment of attachments) {
    const id = isRecord(attachment) ? attachment.upload_id : undefined;
    if (typeof id !== 'string' || !uploadIdPattern.test(id)) return 'each attachment must be {"upload_id"} naming a finished upload';
    if (ids.includes(id)) return 'the same upload is attached twice';
    ids.push(id);
  }
  return ids;
}

export function isRejection(result: ValidItem | ItemRejection): result is ItemRejection {
  return 'code' in result;
}

/** Groups rejections into P7 frames, one per code (client_ids may be empty for seed-style items). */
export function toRejectedFrames(rejections: ItemRejection[]): RejectedFrame[] {
  const byCode = new Map<ErrorCode, RejectedFrame>();
  for (const rejection of rejections) {
    let frame = byCode.get(rejection.code);
    if (!frame) {
      frame = { type: 'rejected', client_ids: [], code: rejection.code, message: rejection.message };
      byCode.set(rejection.code, frame);
    }
    if (rejection.clientId !== null) frame.client_ids.push(rejection.clientId);
  }
  return [...byCode.values()];
}
