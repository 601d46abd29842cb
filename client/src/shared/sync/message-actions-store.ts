import { OpName } from '@whisper/protocol';
import { metaTable } from '../db/meta.table';
import { isOpRow, outboxTable } from '../db/outbox.table';
import type { OutboxItem, OutboxOp, WhisperDatabase } from '../db/whisper-db';
import { isMessageOp, type MessageTarget } from './message-state';
import { mayHaveLeft, pendingOp } from './outbox-store';

/**
 * X4: edits, deletes and reactions as outbox writes, each shown at once.
 * A change to the user's own message that has not left the device rewrites
 * or removes its outbox row and sends nothing extra; one that may have left
 * (planned onto a socket: MetaKey.flushedUpTo) queues an op that names it,
 * which the server applies after the message (S4). A reaction taken back
 * before its op left cancels it: only the net result is sent.
 */

/** The message an action is for, as the timeline knows it. */
export interface MessageRef {
  roomId: string;
  /** Server id; null while the message is only in the outbox. */
  id: string | null;
  clientId: string | null;
  /** The user's own message (only those may be named by client_id). */
  own: boolean;
}

type MessageOpRow = OutboxItem & { kind: 'op'; op: Extract<OutboxOp, { op: 'edit' | 'delete' | 'react' | 'unreact' }> };

function isMessageOpRow(row: OutboxItem): row is MessageOpRow {
  return isOpRow(row) && isMessageOp(row.op);
}

/** How an op names the message: by server id once there is one, else by the author's client_id. */
export function targetOf(ref: MessageRef): MessageTarget {
  if (ref.id !== null) return { message_id: ref.id };
  if (ref.own && ref.clientId !== null) return { target_client_id: ref.clientId };
  throw new Error('A message of someone else is named by its server id.');
}

/** Whether an op names this message (it may have been named by client_id before its ack gave it an id). */
function aims(op: MessageTarget, ref: MessageRef): boolean {
  return (op.message_id !== undefined && op.message_id === ref.id) || (op.target_client_id !== undefined && op.target_client_id === ref.clientId && ref.own);
}

export function createMessageActionsStore(db: WhisperDatabase, nextClientId: () => string) {
  /** This room's op rows about the message that have not left the device. */
  async function unsentOpsOn(ref: MessageRef): Promise<MessageOpRow[]> {
    const rows = (await outboxTable.ofRoom(db, ref.roomId)).filter((row): row is MessageOpRow => isMessageOpRow(row) && aims(row.op, ref));
    const unsent: MessageOpRow[] = [];
    for (const row of rows) if (row.status === 'pending' && !(await mayHaveLeft(db, row))) unsent.push(row);
    return unsent;
  }

  /** The message's own outbox row, when it has not left the device (so it can still be rewritten or dropped). */
  async function unsentMessageRow(ref: MessageRef): Promise<OutboxItem | undefined> {
    if (!ref.own || ref.clientId === null) return undefined;
    const row = await outboxTable.get(db, ref.clientId);
    if (!row || isOpRow(row) || (await mayHaveLeft(db, row))) return undefined;
    return row;
  }

  async function queue(op: OutboxOp): Promise<void> {
    await outboxTable.add(db, pendingOp(nextClientId(), op, new Date().toISOString(), (await metaTable.myUserId(db)) ?? null));
  }

  const inOneTransaction = <T>(work: () => Promise<T>) => db.transaction('rw', db.outbox, db.meta, work);

  return {
    /** X2: the author's new text for their message. */
    editMessage: (ref: MessageRef, content: string) =>
      inOneTransaction(async () => {
        const row = await unsentMessageRow(ref);
        if (row) {
          await outboxTable.update(db, row.client_id, { content });
          return;
        }
        const earlier = (await unsentOpsOn(ref)).find((op) => op.op.op === OpName.Edit);
        if (earlier) {
          await outboxTable.update(db, earlier.client_id, { op: { ...earlier.op, content } as OutboxOp });
          return;
        }
        await queue({ op: OpName.Edit, room_id: ref.roomId, ...targetOf(ref), content });
      }),

    /** X2: deletes the message; one that never left the device just goes, with every change queued for it. */
    deleteMessage: (ref: MessageRef) =>
      inOneTransaction(async () => {
        const moot = await unsentOpsOn(ref);
        await outboxTable.bulkDelete(db, moot.map((row) => row.client_id));
        const row = await unsentMessageRow(ref);
        if (row) {
          await outboxTable.delete(db, row.client_id);
          return;
        }
        await queue({ op: OpName.Delete, room_id: ref.roomId, ...targetOf(ref) });
      }),

    /** X3: adds (`on`) or takes back the user's `emoji` on the message; an opposite op still unsent is cancelled instead. */
    setReaction: (ref: MessageRef, emoji: string, on: boolean) =>
      inOneTransaction(async () => {
        const unsent = (await unsentOpsOn(ref)).filter((row) => (row.op.op === OpName.React || row.op.op === OpName.Unreact) && row.op.emoji === emoji);
        const opposite = unsent.find((row) => row.op.op === (on ? OpName.Unreact : OpName.React));
        if (opposite) {
          await outboxTable.delete(db, opposite.client_id);
          return;
        }
        if (unsent.length > 0) return;
        await queue({ op: on ? OpName.React : OpName.Unreact, room_id: ref.roomId, ...targetOf(ref), emoji });
      }),
  };
}
