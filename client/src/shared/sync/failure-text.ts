import type { OutboxItem } from '../db/whisper-db';

/**
 * What a failed message tells its author (C6), by the server's P7 code. The
 * server's own message is written for developers; this is for people.
 */
const FAILURE_TEXT: Record<string, string> = {
  invalid_content: 'This message is empty or too long to send.',
  invalid_message: 'This message could not be read by the server.',
  unknown_room: 'This room no longer exists.',
  forbidden: 'You are not allowed to post this here.',
  unconfirmed: 'The server did not confirm this message.',
  signed_out: 'The server no longer knows the identity that wrote it.',
};

export function failureText(item: Pick<OutboxItem, 'error_code' | 'error_message'>): string | null {
  if (item.error_code === null) return item.error_message;
  return FAILURE_TEXT[item.error_code] ?? item.error_message ?? 'This message could not be sent.';
}
