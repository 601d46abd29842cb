import type { ClientFrame, Op } from '@whisper/protocol';
import type { OutboxItem } from '../db/whisper-db';
import { FLUSH_BATCH_SIZE } from './outbox-store';

/**
 * C4, P11: outbox rows as frames, in enqueue order. A run of messages goes
 * in `messages` frames and a run of ops in `ops` frames, at most
 * FLUSH_BATCH_SIZE items each; the server handles frames in arrival order
 * (an ops frame is a barrier there), so a message written after creating a
 * room reaches the room after it exists (S4).
 */
export function toFrames(items: OutboxItem[]): ClientFrame[] {
  const frames: ClientFrame[] = [];
  let run: OutboxItem[] = [];
  const close = () => {
    for (let i = 0; i < run.length; i += FLUSH_BATCH_SIZE) {
      const batch = run.slice(i, i + FLUSH_BATCH_SIZE);
      if (batch[0].kind === 'op') frames.push({ type: 'ops', data: batch.map((item) => ({ ...item.op, client_id: item.client_id }) as Op) });
      else {
        const data = batch.map((item) => ({
          client_id: item.client_id,
          room_id: item.room_id,
          content: item.content,
          ...(item.reply_to ? { reply_to: item.reply_to } : {}),
          // F3: the files by their tus upload ids (planFlush sends only messages whose uploads are complete).
          ...(item.attachments?.length ? { attachments: item.attachments.map((file) => ({ upload_id: file.upload_id ?? '' })) } : {}),
        }));
        frames.push({ type: 'messages', data });
      }
    }
    run = [];
  };
  for (const item of items) {
    if (run.length > 0 && (run[0].kind === 'op') !== (item.kind === 'op')) close();
    run.push(item);
  }
  close();
  return frames;
}
