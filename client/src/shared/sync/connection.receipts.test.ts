import { describe, expect, it } from 'vitest';
import { DELIVERED_REPORT_INTERVAL_MS, OpName, RoomKind, dmRoomId, type ClientFrame } from '@whisper/protocol';
import { GENERAL, ME, OTHER, createHarness, elapse, message, opsSent, room, settle, setUpHarnesses, type FakeSocket } from './connection.harness';

setUpHarnesses();

const DM = dmRoomId(ME, OTHER);
const reports = (socket: FakeSocket) => socket.sent.filter((frame): frame is Extract<ClientFrame, { type: 'delivered' }> => frame.type === 'delivered').map((frame) => frame.data);

describe('connection machine: receipts', () => {
  it('[L4] reports what is stored of DMs and groups, at most once per interval, naming only rooms that moved; never public rooms', async () => {
    const h = await createHarness();
    await h.goLive({ rooms: [room(GENERAL, { last_seq: 4 }), room(DM, { kind: RoomKind.Dm, members: [ME, OTHER], last_seq: 2 })] });
    const socket = h.latest();
    await elapse(DELIVERED_REPORT_INTERVAL_MS);
    expect(reports(socket)).toEqual([[{ room_id: DM, seq: 2 }]]);

    // A burst of messages: one report for all of it, after the interval.
    socket.serve({ type: 'messages', data: [message(DM, 3)] });
    socket.serve({ type: 'messages', data: [message(GENERAL, 5)] });
    socket.serve({ type: 'messages', data: [message(DM, 4)] });
    await settle();
    expect(reports(socket)).toHaveLength(1);
    await elapse(DELIVERED_REPORT_INTERVAL_MS);
    expect(reports(socket)).toEqual([[{ room_id: DM, seq: 2 }], [{ room_id: DM, seq: 4 }]]);

    // Only general moves: nothing to report.
    socket.serve({ type: 'messages', data: [message(GENERAL, 6)] });
    await elapse(DELIVERED_REPORT_INTERVAL_MS * 2);
    expect(reports(socket)).toHaveLength(2);
  });

  it('[L3] the read op goes out with the outbox, once, with the highest seq marked meanwhile (coalesced offline)', async () => {
    const h = await createHarness();
    h.online.value = false;
    await h.store.setIdentity({ user_id: ME, token: 't' });
    await h.store.storeRooms({ data: [room(GENERAL, { last_seq: 9 })], users: [] });
    await h.store.markRead(GENERAL, 5);
    await h.store.markRead(GENERAL, 9);
    h.online.value = true;
    h.actor.send({ type: 'ONLINE' });
    await settle();
    await h.goLive({ rooms: [room(GENERAL, { last_seq: 9 })] });
    expect(opsSent(h.latest())).toEqual([expect.objectContaining({ op: OpName.Read, room_id: GENERAL, seq: 9 })]);
  });
});
