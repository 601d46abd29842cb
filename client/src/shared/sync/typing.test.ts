import { TYPING_EXPIRY_MS, TYPING_IDLE_MS, TYPING_SIGNAL_INTERVAL_MS } from '@whisper/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTypingBoard, createTypingSender, typingText } from './typing';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('typing sender (L2 throttle)', () => {
  it('[L2] sends one true per signal interval however often the user types, and false once on stop', () => {
    const sent: [string, boolean][] = [];
    const sender = createTypingSender((roomId, typing) => sent.push([roomId, typing]));
    // A keystroke every 100 ms for one interval and a half.
    for (let t = 0; t < TYPING_SIGNAL_INTERVAL_MS * 1.5; t += 100) {
      sender.set('general', true);
      vi.advanceTimersByTime(100);
    }
    expect(sent).toEqual([
      ['general', true],
      ['general', true],
    ]);
    sender.set('general', false);
    sender.set('general', false);
    expect(sent.slice(2)).toEqual([['general', false]]);
    // Typing again starts afresh.
    sender.set('general', true);
    expect(sent.at(-1)).toEqual(['general', true]);
  });

  it('[L2] says false by itself after the user stops typing without sending', () => {
    const sent: [string, boolean][] = [];
    const sender = createTypingSender((roomId, typing) => sent.push([roomId, typing]));
    sender.set('general', true);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    // A keystroke just in time keeps it going (and, an interval later, says so again).
    sender.set('general', true);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    expect(sent).toEqual([
      ['general', true],
      ['general', true],
    ]);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual(['general', false]);
    expect(sent).toHaveLength(3);
  });

  it('[L2] keeps rooms apart, and stopAll ends every room typed in', () => {
    const sent: [string, boolean][] = [];
    const sender = createTypingSender((roomId, typing) => sent.push([roomId, typing]));
    sender.set('general', true);
    sender.set('other', true);
    sender.stopAll();
    expect(sent).toEqual([
      ['general', true],
      ['other', true],
      ['general', false],
      ['other', false],
    ]);
  });
});

describe('typing board (L2 what others type)', () => {
  it('[L2] shows a typer until their signal expires, renewed by each new signal', () => {
    const board = createTypingBoard();
    const heard = vi.fn();
    board.subscribe('general', heard);
    board.hear({ roomId: 'general', userId: 'ana', typing: true });
    expect(board.typers('general')).toEqual(['ana']);
    const snapshot = board.typers('general');
    vi.advanceTimersByTime(TYPING_EXPIRY_MS - 1);
    board.hear({ roomId: 'general', userId: 'ana', typing: true });
    expect(board.typers('general')).toBe(snapshot);
    vi.advanceTimersByTime(TYPING_EXPIRY_MS - 1);
    expect(board.typers('general')).toEqual(['ana']);
    vi.advanceTimersByTime(1);
    expect(board.typers('general')).toEqual([]);
    expect(heard).toHaveBeenCalledTimes(2);
  });

  it('[L2] a false (or their message) clears one typer at once; rooms are apart', () => {
    const board = createTypingBoard();
    board.hear({ roomId: 'general', userId: 'ana', typing: true });
    board.hear({ roomId: 'general', userId: 'ben', typing: true });
    board.hear({ roomId: 'other', userId: 'ana', typing: true });
    board.hear({ roomId: 'general', userId: 'ana', typing: false });
    expect(board.typers('general')).toEqual(['ben']);
    expect(board.typers('other')).toEqual(['ana']);
    board.clear();
    expect(board.typers('general')).toEqual([]);
    expect(board.typers('other')).toEqual([]);
  });
});

describe('typing text (L2)', () => {
  it('[L2] names one or two people, and says "Several people" beyond', () => {
    expect(typingText([])).toBeNull();
    expect(typingText(['Ana'])).toBe('Ana is typing…');
    expect(typingText(['Ana', 'Ben'])).toBe('Ana and Ben are typing…');
    expect(typingText(['Ana', 'Ben', 'Cid'])).toBe('Several people are typing…');
  });
});
