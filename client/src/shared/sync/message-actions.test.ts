import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { OpName, type AckFrame, type ChatMessage, type LogEvent, type Op } from '@whisper/protocol';
import { isOpRow, outboxTable } from '../db/outbox.table';
import { GENERAL, ME, OTHER, THIRD, message } from './connection.harness';
import type { MessageRef } from './message-actions-store';
import { toFrames } from './outbox-frames';
import { setUpStore } from './store.fixture';
import type { TimelineItem } from './timeline';
import { readTimeline } from './use-room-timeline';

const ACK_TIMEOUT = 10_000;
const MAX_ATTEMPTS = 3;

const fixture = setUpStore('message-actions');

async function items(): Promise<TimelineItem[]> {
  const { items } = await readTimeline(fixture.db, GENERAL, 100);
  return items.filter((entry): entry is TimelineItem => entry.kind === 'message');
}

/** What the connection machine does: plan a flush onto a socket (the rows may now be on the server). */
async function flush() {
  return fixture.store.planFlush('socket-1', ME, Date.now(), ACK_TIMEOUT, MAX_ATTEMPTS);
}

async function outboxOps(): Promise<Op[]> {
  return (await outboxTable.inOrder(fixture.db)).filter(isOpRow).map((row) => ({ ...row.op, client_id: row.client_id }) as Op);
}

function ack(clientIds: string[], seqs: number[], ids = clientIds.map(() => ulid())): AckFrame {
  return { type: 'message_ids', status: 'success', message_ids: ids, client_ids: clientIds, seqs };
}

const ownRef = (clientId: string, id: string | null = null): MessageRef => ({ roomId: GENERAL, id, clientId, own: true });
const storedRef = (m: ChatMessage): MessageRef => ({ roomId: GENERAL, id: m.id, clientId: m.client_id, own: m.user_id === ME });

function event(m: ChatMessage, seq: number, fields: Record<string, unknown>, by = OTHER, clientId: string | null = null): LogEvent {
  return { id: ulid(), seq, room_id: GENERAL, user_id: by, client_id: clientId, created_at: new Date(Date.UTC(2026, 10, 21, 13, seq)).toISOString(), message_id: m.id, ...fields } as LogEvent;
}

describe('message actions on the device (X4)', () => {
  it('[X4] editing a message that never left the device rewrites its outbox row and queues nothing', async () => {
    const row = await fixture.store.enqueue(GENERAL, 'helo');
    await fixture.store.editMessage(ownRef(row.client_id), 'hello');
    const rows = await outboxTable.inOrder(fixture.db);
    expect(rows).toHaveLength(1);
    expect(rows[0].content).toBe('hello');
    expect((await items())[0]).toMatchObject({ content: 'hello', status: 'pending' });
  });

  it('[X4] deleting a message that never left the device removes it and every change queued for it, sending nothing', async () => {
    const row = await fixture.store.enqueue(GENERAL, 'oops');
    await fixture.store.setReaction(ownRef(row.client_id), '👍', true);
    await fixture.store.deleteMessage(ownRef(row.client_id));
    expect(await outboxTable.inOrder(fixture.db)).toEqual([]);
    expect(await items()).toEqual([]);
  });

  it('[X4][S4] a message already planned onto a socket is edited and deleted by ops naming it by target_client_id', async () => {
    const row = await fixture.store.enqueue(GENERAL, 'helo');
    await flush();
    await fixture.store.editMessage(ownRef(row.client_id), 'hello');
    await fixture.store.editMessage(ownRef(row.client_id), 'hello!');
    const [edit] = await outboxOps();
    // The second edit rewrote the first while it was still unsent: one op, the latest text.
    expect(await outboxOps()).toHaveLength(1);
    expect(edit).toMatchObject({ op: OpName.Edit, target_client_id: row.client_id, content: 'hello!' });
    expect(edit).not.toHaveProperty('message_id');
    expect((await items())[0]).toMatchObject({ content: 'hello!', pendingAction: 'edit' });
    // The frames keep the order: the message, then the op that names it.
    const frames = toFrames(await outboxTable.inOrder(fixture.db));
    expect(frames.map((frame) => frame.type)).toEqual(['messages', 'ops']);

    await fixture.store.deleteMessage(ownRef(row.client_id));
    expect((await outboxOps()).map((op) => op.op)).toEqual([OpName.Delete]);
    expect((await items())[0]).toMatchObject({ deleted: true, content: '', pendingAction: 'delete' });
  });

  it('[X4] a reaction toggled on and off before it left sends nothing; one already sent is taken back by a second op', async () => {
    const theirs = message(GENERAL, 1);
    await fixture.store.storeEntries({ messages: [theirs] });
    await fixture.store.setReaction(storedRef(theirs), '😂', true);
    expect((await items())[0].reactions).toEqual([{ emoji: '😂', count: 1, mine: true, names: ['You'], pending: true }]);
    await fixture.store.setReaction(storedRef(theirs), '😂', false);
    expect(await outboxOps()).toEqual([]);
    expect((await items())[0].reactions).toEqual([]);

    await fixture.store.setReaction(storedRef(theirs), '😂', true);
    await flush();
    await fixture.store.setReaction(storedRef(theirs), '😂', false);
    expect((await outboxOps()).map((op) => [op.op, 'emoji' in op ? op.emoji : null])).toEqual([
      [OpName.React, '😂'],
      [OpName.Unreact, '😂'],
    ]);
    // Net: not reacted, never a wrong count.
    expect((await items())[0].reactions).toEqual([]);
  });

  it('[X4] an acked action stays on screen (folded into the cache), and the server\'s entry then changes nothing', async () => {
    const mine = message(GENERAL, 1, ME, ulid());
    await fixture.store.storeEntries({ messages: [mine] });
    await fixture.store.editMessage(storedRef(mine), 'better words');
    const [edit] = await outboxOps();
    expect(edit).toMatchObject({ message_id: mine.id });
    await fixture.store.applyAck(ack([edit.client_id], [2]));
    expect(await outboxOps()).toEqual([]);
    expect((await items())[0]).toMatchObject({ content: 'better words', pendingAction: null });
    await fixture.store.storeEntries({ events: [event(mine, 2, { kind: 'edit', content: 'better words', edited_at: '2026-11-21T13:02:00.000Z' }, ME, edit.client_id)] });
    expect((await items())[0]).toMatchObject({ content: 'better words' });
  });

  it('[X4] a refused action is undone on screen, with the reason, until Retry or Delete', async () => {
    const theirs = message(GENERAL, 1);
    await fixture.store.storeEntries({ messages: [theirs] });
    await fixture.store.setReaction(storedRef(theirs), '🙏', true);
    const [react] = await outboxOps();
    await fixture.store.applyRejection({ type: 'rejected', client_ids: [react.client_id], code: 'unknown_message', message: 'gone' });
    const [item] = await items();
    expect(item.reactions).toEqual([]);
    expect(item.actionFailures).toEqual([{ clientId: react.client_id, label: 'Reaction 🙏', reason: expect.stringMatching(/no longer exists/) }]);
    await fixture.store.retry(react.client_id);
    expect((await items())[0].reactions).toMatchObject([{ emoji: '🙏', pending: true }]);
  });

  it('[E5] the server\'s entries apply in seq order: last edit wins, delete wins over edits before and after, reactions are sets', async () => {
    const theirs = message(GENERAL, 1);
    await fixture.store.storeEntries({ messages: [theirs] });
    await fixture.store.storeEntries({
      events: [
        event(theirs, 2, { kind: 'edit', content: 'first', edited_at: '2026-11-21T13:02:00.000Z' }),
        event(theirs, 3, { kind: 'edit', content: 'second', edited_at: '2026-11-21T13:03:00.000Z' }),
        event(theirs, 4, { kind: 'react', emoji: '👍' }, THIRD),
        event(theirs, 5, { kind: 'react', emoji: '👍' }, THIRD),
        event(theirs, 6, { kind: 'react', emoji: '👍' }, ME),
        event(theirs, 7, { kind: 'unreact', emoji: '👍' }, THIRD),
      ],
    });
    expect((await items())[0]).toMatchObject({ content: 'second', editedAt: '2026-11-21T13:03:00.000Z', reactions: [{ emoji: '👍', count: 1, mine: true }] });
    await fixture.store.storeEntries({ events: [event(theirs, 8, { kind: 'delete' }), event(theirs, 9, { kind: 'edit', content: 'too late', edited_at: '2026-11-21T13:09:00.000Z' })] });
    expect((await items())[0]).toMatchObject({ deleted: true, content: '', reactions: [] });
    // Edits and reactions are not notices.
    const { items: all } = await readTimeline(fixture.db, GENERAL, 100);
    expect(all).toHaveLength(1);
  });

  it('[E5] entries arriving out of log order (a live one before the catch-up page with an older one) still end in log order\'s state', async () => {
    const theirs = message(GENERAL, 4);
    await fixture.store.storeEntries({ messages: [theirs] });
    // Live first: an unreact at 7 and an edit at 9; then the catch-up page: the react at 6 and the edit at 8.
    await fixture.store.storeEntries({ events: [event(theirs, 7, { kind: 'unreact', emoji: '👍' }, THIRD), event(theirs, 9, { kind: 'edit', content: 'second', edited_at: '2026-11-21T13:09:00.000Z' })] });
    await fixture.store.storeEntries({
      messages: [{ ...theirs, content: 'second', edited_at: '2026-11-21T13:09:00.000Z' }],
      events: [event(theirs, 6, { kind: 'react', emoji: '👍' }, THIRD), event(theirs, 8, { kind: 'edit', content: 'first', edited_at: '2026-11-21T13:08:00.000Z' })],
    });
    expect((await items())[0]).toMatchObject({ content: 'second', reactions: [] });
    // A copy read before the entries were applied (a history page) does not undo them either.
    await fixture.store.storeMessages([{ ...theirs, reactions: [{ emoji: '👍', count: 1, user_ids: [THIRD] }] }]);
    expect((await items())[0]).toMatchObject({ content: 'second', reactions: [] });
  });

  it('[X1] a reply shows its quote at once, follows the quoted message\'s changes, and names an unacked target by client_id', async () => {
    const target = await fixture.store.enqueue(GENERAL, 'the original');
    await fixture.store.enqueue(GENERAL, 'a reply', {
      reply_to: target.client_id,
      quote: { id: null, client_id: target.client_id, user_id: ME, seq: null, excerpt: 'the original' },
    });
    const [, reply] = await items();
    expect(reply.replyTo).toMatchObject({ excerpt: 'the original', clientId: target.client_id, deleted: false });
    const frames = toFrames(await outboxTable.inOrder(fixture.db));
    expect(frames[0]).toMatchObject({ type: 'messages', data: [{ content: 'the original' }, { content: 'a reply', reply_to: target.client_id }] });
    await fixture.store.editMessage(ownRef(target.client_id), 'the original, edited');
    expect((await items())[1].replyTo?.excerpt).toBe('the original, edited');
  });
});
