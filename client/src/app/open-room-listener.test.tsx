import { act, cleanup, render } from '@testing-library/react';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenRoomListener, roomToOpen } from './open-room-listener';

afterEach(() => {
  cleanup();
  delete (navigator as unknown as Record<string, unknown>).serviceWorker;
});

describe('a clicked notification opens its room (N1)', () => {
  it('[N1] the service worker\'s OPEN_ROOM message moves the open window to that room; anything else is ignored', () => {
    const container = new EventTarget();
    Object.defineProperty(navigator, 'serviceWorker', { value: container, configurable: true });
    const location = memoryLocation({ path: '/rooms/general', record: true });
    render(
      <Router hook={location.hook}>
        <OpenRoomListener />
      </Router>,
    );
    act(() => {
      container.dispatchEvent(new MessageEvent('message', { data: { type: 'SKIP_WAITING' } }));
      container.dispatchEvent(new MessageEvent('message', { data: { type: 'OPEN_ROOM', room_id: 42 } }));
    });
    expect(location.history).toEqual(['/rooms/general']);
    act(() => {
      container.dispatchEvent(new MessageEvent('message', { data: { type: 'OPEN_ROOM', room_id: '01hroom' } }));
    });
    expect(location.history).toEqual(['/rooms/general', '/rooms/01hroom']);
  });

  it('[N1] reads only well-formed requests', () => {
    expect(roomToOpen({ type: 'OPEN_ROOM', room_id: 'general' })).toBe('general');
    expect(roomToOpen({ type: 'OPEN_ROOM', room_id: '' })).toBeNull();
    expect(roomToOpen(null)).toBeNull();
    expect(roomToOpen('OPEN_ROOM')).toBeNull();
  });
});
