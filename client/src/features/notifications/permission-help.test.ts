import { afterEach, describe, expect, it, vi } from 'vitest';
import { turnOnFailureText } from './permission-help';

afterEach(() => vi.restoreAllMocks());

describe('why notifications could not be turned on', () => {
  it('[N1] names the cause: offline, the browser\'s push service, or the server out of reach, never "offline" when online', () => {
    const online = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(true);
    expect(turnOnFailureText(new DOMException('Registration failed - permission denied', 'AbortError'))).toMatch(/browser could not set up notifications/);
    expect(turnOnFailureText(new TypeError('Failed to fetch'))).toMatch(/Could not reach Whisper/);
    expect(turnOnFailureText(new Error('?'))).not.toMatch(/online/);
    online.mockReturnValue(false);
    expect(turnOnFailureText(new TypeError('Failed to fetch'))).toMatch(/once you are online/);
  });
});
