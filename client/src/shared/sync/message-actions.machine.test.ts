import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { GENERAL as ROOM, createHarness, elapse, messagesSent, opsSent, settle, settleUntil, setUpHarnesses } from './connection.harness';
import { MARK_SENDING_DELAY_MS } from './connection.machine';

/**
 * X4 through the connection machine (fake socket, fake IndexedDB): what an
 * edit of the user's own message puts on the wire depends on whether the
 * message may have left the device.
 */

setUpHarnesses();

const own = (clientId: string) => ({ roomId: ROOM, id: null, clientId, own: true });

describe('message actions on the wire (X4)', () => {
  it('[X4][C4] a message edited before it ever left goes out once, with the new text, and no op', async () => {
    const h = await createHarness();
    h.online.value = false;
    const row = await h.store.enqueue(ROOM, 'helo wrold');
    await h.store.editMessage(own(row.client_id), 'hello world');
    await h.goLive();
    await settleUntil(() => messagesSent(h.latest()).length === 1, 'the message sent');
    await settle();
    expect(messagesSent(h.latest())).toEqual([{ client_id: row.client_id, room_id: ROOM, content: 'hello world' }]);
    expect(opsSent(h.latest())).toEqual([]);
  });

  it('[X4][S4] a message already on the wire is edited by an op naming it by target_client_id, sent after it; the acks fold both into the cache', async () => {
    const h = await createHarness();
    await h.goLive();
    const row = await h.store.enqueue(ROOM, 'helo');
    // What the page's write tells the connection (through the worker's bridge in the app).
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    await settleUntil(() => messagesSent(h.latest()).length === 1, 'the message sent');
    await h.store.editMessage(own(row.client_id), 'hello');
    h.actor.send({ type: 'OUTBOX.CHANGED' });
    // Unanswered for a while, the message is marked `sending`; then what came after it goes out.
    await elapse(MARK_SENDING_DELAY_MS + 100);
    await settleUntil(() => opsSent(h.latest()).length === 1, 'the edit sent');
    const [edit] = opsSent(h.latest());
    expect(edit).toMatchObject({ op: 'edit', room_id: ROOM, target_client_id: row.client_id, content: 'hello' });
    expect(h.latest().sent.filter((f) => f.type === 'messages' || f.type === 'ops').map((f) => f.type)).toEqual(['messages', 'ops']);
    // The message as sent is stored first; the edit's ack then changes the cached copy.
    const id = ulid();
    h.latest().serve({ type: 'message_ids', status: 'success', message_ids: [id], client_ids: [row.client_id], seqs: [1] });
    h.latest().serve({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [edit.client_id], seqs: [2] });
    await settle();
    expect(await h.db.outbox.count()).toBe(0);
    expect(await h.db.messages.get(id)).toMatchObject({ content: 'hello', edited_at: expect.any(String) });
  });
});
