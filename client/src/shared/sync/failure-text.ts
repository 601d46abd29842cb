import type { OutboxItem } from '../db/whisper-db';

/**
 * What a failed message or op tells its author (C6), by the server's P7
 * code. The server's own message is written for developers; this is for people.
 */
const MESSAGE_FAILURE: Record<string, string> = {
  invalid_content: 'This message is empty or too long to send.',
  invalid_message: 'This message could not be read by the server.',
  unknown_room: 'This room no longer exists.',
  forbidden: 'You are not allowed to post this here.',
  unconfirmed: 'The server did not confirm this message.',
  signed_out: 'The server no longer knows the identity that wrote it.',
};

const OP_FAILURE: Record<string, string> = {
  unknown_room: 'This room no longer exists, or you are not in it.',
  forbidden: 'You are not allowed to do this here.',
  invalid_op: 'The server could not accept this change.',
  conflict: 'A room with this id exists already.',
  unknown_message: 'This message no longer exists, or you can no longer see it.',
  invalid_content: 'The new text is empty or too long.',
  unconfirmed: 'The server did not confirm this change.',
  signed_out: 'The server no longer knows the identity that made this change.',
};

export function failureText(item: Pick<OutboxItem, 'error_code' | 'error_message' | 'kind'>): string | null {
  if (item.error_code === null) return item.error_message;
  if (item.kind === 'op') return OP_FAILURE[item.error_code] ?? item.error_message ?? 'This change could not be made.';
  return MESSAGE_FAILURE[item.error_code] ?? item.error_message ?? 'This message could not be sent.';
}
