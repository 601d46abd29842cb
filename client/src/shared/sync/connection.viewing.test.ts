import { describe, expect, it } from 'vitest';
import type { ClientFrame } from '@whisper/protocol';
import { GENERAL, createHarness, setUpHarnesses, untilRetry, type FakeSocket } from './connection.harness';

setUpHarnesses();

const viewingSent = (socket: FakeSocket) => socket.sent.filter((frame): frame is Extract<ClientFrame, { type: 'viewing' }> => frame.type === 'viewing').map((frame) => frame.room_id);

describe('connection machine: the room on screen (N1)', () => {
  it('[N1] says which room is on screen on every change while live, and again to every new socket once it is live', async () => {
    const h = await createHarness();
    // Before live: kept, not sent (the socket is catching up).
    h.actor.send({ type: 'VIEWING.SET', roomId: GENERAL });
    expect(viewingSent(h.latest())).toEqual([]);
    await h.goLive();
    expect(viewingSent(h.latest())).toEqual([GENERAL]);

    h.actor.send({ type: 'VIEWING.SET', roomId: null });
    h.actor.send({ type: 'VIEWING.SET', roomId: 'room-b' });
    expect(viewingSent(h.latest())).toEqual([GENERAL, null, 'room-b']);

    // A new socket knows nothing of the old one's room: it is told again.
    const first = h.latest();
    first.emit({ type: 'SOCKET.CLOSED', code: 1006, reason: '' });
    h.actor.send({ type: 'VIEWING.SET', roomId: 'room-c' });
    await untilRetry(h);
    expect(h.latest()).not.toBe(first);
    expect(viewingSent(h.latest())).toEqual([]);
    await h.goLive();
    expect(viewingSent(h.latest())).toEqual(['room-c']);
    expect(viewingSent(first)).toEqual([GENERAL, null, 'room-b']);
  });

  it('[N1] a new socket is told nothing while no room is on screen (it assumes none)', async () => {
    const h = await createHarness();
    await h.goLive();
    expect(viewingSent(h.latest())).toEqual([]);
  });
});
