import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { LevelSource } from '../voice/voice-recorder';
import { Composer } from './composer';
import { LevelMeter, meterLevel, METER_BARS, METER_WINDOW_MS } from './recording-bar';

/** jsdom has no Web Audio: an analyser whose signal is a constant `level` (its RMS is that level). */
function fakeAnalyser() {
  const analyser = {
    level: 0,
    fftSize: 8,
    getFloatTimeDomainData: vi.fn((buffer: Float32Array) => {
      buffer.fill(analyser.level);
    }),
  };
  return analyser;
}

/** Animation frames run by hand, at the times the test gives. */
function fakeFrames() {
  let next: FrameRequestCallback | null = null;
  let id = 0;
  const cancelled: number[] = [];
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    next = callback;
    return ++id;
  });
  vi.stubGlobal('cancelAnimationFrame', (frame: number) => {
    cancelled.push(frame);
    if (frame === id) next = null;
  });
  return {
    cancelled,
    get pending() {
      return next !== null;
    },
    run(at: number) {
      const callback = next;
      next = null;
      act(() => callback?.(at));
    },
  };
}

function barHeights(container: HTMLElement): number[] {
  return [...container.querySelectorAll<HTMLElement>('[data-level-meter] > span')].map((bar) => parseFloat(bar.style.height));
}

const recording = { levels: fakeAnalyser() as LevelSource, stop: vi.fn(), cancel: vi.fn() };
vi.mock('../voice/voice-recorder', () => ({ startRecording: vi.fn(async () => recording) }));

describe('live level meter while recording', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
  });

  it('[F1] reads the analyser once per animation frame: the newest loudness at the right, older ones moving left', () => {
    const frames = fakeFrames();
    const analyser = fakeAnalyser();
    const { container } = render(<LevelMeter source={analyser} />);
    expect(barHeights(container)).toHaveLength(METER_BARS);
    expect(container.querySelector('[data-level-meter]')).toHaveAttribute('aria-hidden', 'true');

    analyser.level = 0.5;
    frames.run(1000);
    expect(analyser.getFloatTimeDomainData).toHaveBeenCalledTimes(1);
    expect(barHeights(container).at(-1)).toBeCloseTo(meterLevel(0.5) * 100);

    // Within the same bar's share of time, the loudest frame stays.
    analyser.level = 0.02;
    frames.run(1000 + METER_WINDOW_MS / METER_BARS / 2);
    expect(barHeights(container).at(-1)).toBeCloseTo(meterLevel(0.5) * 100);

    // One share later: it has moved one bar left, a quiet bar at the right.
    frames.run(1000 + METER_WINDOW_MS / METER_BARS);
    const heights = barHeights(container);
    expect(heights.at(-2)).toBeCloseTo(meterLevel(0.5) * 100);
    expect(heights.at(-1)).toBeCloseTo(meterLevel(0.02) * 100);

    // After the whole window it has left the meter.
    frames.run(1000 + METER_WINDOW_MS + 1);
    expect(Math.max(...barHeights(container))).toBeLessThan(meterLevel(0.5) * 100);
  });

  it('[F1] no frame work once the meter is gone', () => {
    const frames = fakeFrames();
    const analyser = fakeAnalyser();
    const { unmount } = render(<LevelMeter source={analyser} />);
    frames.run(0);
    expect(frames.pending).toBe(true);
    unmount();
    expect(frames.cancelled).toHaveLength(1);
    expect(frames.pending).toBe(false);
  });

  it('[F1] the recording bar shows the meter (hidden from screen readers, the timer is the status); stopping removes it', async () => {
    vi.stubGlobal('MediaRecorder', class {});
    Object.defineProperty(navigator, 'mediaDevices', { value: {}, configurable: true });
    const frames = fakeFrames();
    recording.stop.mockReset().mockResolvedValue({ blob: new Blob(['x']), mime: 'audio/webm', durationMs: 1000, waveform: '' });
    const user = userEvent.setup();
    const { container } = render(<Composer onSend={vi.fn()} draft="" onDraftChange={vi.fn()} onVoiceNote={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Record a voice note' }));
    await waitFor(() => expect(container.querySelector('[data-level-meter]')).not.toBeNull());
    expect(screen.getByRole('status')).toContainElement(screen.getByLabelText('Recording time'));
    frames.run(0);
    expect(recording.levels.getFloatTimeDomainData).toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Stop recording and send' }));
    expect(container.querySelector('[data-level-meter]')).toBeNull();
    expect(frames.pending).toBe(false);
  });
});
