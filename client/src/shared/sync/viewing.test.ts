import { describe, expect, it } from 'vitest';
import { createViewingReporter } from './viewing';

describe('the room on screen (N1)', () => {
  it('[N1] a hidden page, or no room open, is viewing nothing; only changes are told', () => {
    const told: (string | null)[] = [];
    let visible = true;
    const viewing = createViewingReporter((roomId) => told.push(roomId), () => visible);
    viewing.show('general');
    viewing.show('general');
    expect(told).toEqual(['general']);

    // A live socket on a hidden tab does not count as seeing the room.
    visible = false;
    viewing.update();
    expect(told).toEqual(['general', null]);
    viewing.show('dm');
    expect(told).toEqual(['general', null]);
    visible = true;
    viewing.update();
    expect(told).toEqual(['general', null, 'dm']);

    viewing.show(null);
    expect(told).toEqual(['general', null, 'dm', null]);
  });
});
