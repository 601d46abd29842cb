import { afterEach, beforeEach, vi } from 'vitest';

/**
 * jsdom has no ResizeObserver, which Headless UI's dialogs use to follow
 * their panel's size; a silent one is enough for tests about behaviour.
 */
export function withResizeObserver(): void {
  beforeEach(() => {
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });
}
