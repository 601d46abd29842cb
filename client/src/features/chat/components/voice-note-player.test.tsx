import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { reduceLevels, toBase64 } from '../voice/waveform';
import { SEEK_STEP_S, VoiceNotePlayer } from './voice-note-player';

const waveform = toBase64(reduceLevels([0.1, 0.5, 1]));

function audioElement(container: HTMLElement): HTMLAudioElement {
  return container.querySelector('audio')!;
}

/** jsdom plays nothing: play() and pause() only say they did, with the events a browser sends. */
function fakePlayback() {
  let paused = true;
  vi.spyOn(HTMLMediaElement.prototype, 'paused', 'get').mockImplementation(() => paused);
  const play = vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
    paused = false;
    this.dispatchEvent(new Event('play'));
    return Promise.resolve();
  });
  const pause = vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(function (this: HTMLMediaElement) {
    paused = true;
    this.dispatchEvent(new Event('pause'));
  });
  return { play, pause };
}

/** The element's length, as loadedmetadata reports it. */
function loadMetadata(element: HTMLAudioElement, seconds: number) {
  Object.defineProperty(element, 'duration', { value: seconds, configurable: true });
  fireEvent.loadedMetadata(element);
}

describe('voice note player', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('[F6] play and pause', async () => {
    const playback = fakePlayback();
    const user = userEvent.setup();
    render(<VoiceNotePlayer src="blob:note" waveform={waveform} durationMs={3200} own={false} />);
    await user.click(screen.getByRole('button', { name: 'Play voice note' }));
    expect(playback.play).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Pause voice note' }));
    expect(playback.pause).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('button', { name: 'Play voice note' })).toBeInTheDocument();
  });

  it('[F6] the duration: the recorded length until the file says its own (WebM often says Infinity)', () => {
    const { container } = render(<VoiceNotePlayer src="blob:note" waveform={waveform} durationMs={3200} own={false} />);
    expect(screen.getByText('0:03')).toBeInTheDocument();
    loadMetadata(audioElement(container), Infinity);
    expect(screen.getByText('0:03')).toBeInTheDocument();
    loadMetadata(audioElement(container), 72.4);
    expect(screen.getByText('1:12')).toBeInTheDocument();
  });

  it('[F6] the slider over the waveform scrubs: a click or drag sets the position, arrows step, Home and End go to the ends', () => {
    const { container } = render(<VoiceNotePlayer src="blob:note" waveform={waveform} durationMs={12_000} own={false} />);
    const element = audioElement(container);
    const slider = screen.getByRole('slider', { name: 'Seek' });
    // It lies over the waveform, so pressing on the waveform moves it.
    expect(slider.parentElement?.querySelector('[aria-hidden="true"]')?.children.length).toBeGreaterThan(0);
    expect(slider).toHaveAttribute('aria-valuetext', '0:00 of 0:12');

    fireEvent.change(slider, { target: { value: '4' } });
    expect(element.currentTime).toBe(4);
    expect(slider).toHaveAttribute('aria-valuetext', '0:04 of 0:12');

    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(element.currentTime).toBe(4 + SEEK_STEP_S);
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(element.currentTime).toBe(12);
    fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    expect(element.currentTime).toBe(12 - SEEK_STEP_S);
    fireEvent.keyDown(slider, { key: 'ArrowDown' });
    fireEvent.keyDown(slider, { key: 'ArrowDown' });
    expect(element.currentTime).toBe(0);
    // Home and End are the range input's own: they come as a change.
    fireEvent.change(slider, { target: { value: '12' } });
    expect(element.currentTime).toBe(12);
  });

  it('[F6] speed cycles 1×, 1.5×, 2× and is applied to the audio, also when the file arrives after the choice', async () => {
    const user = userEvent.setup();
    const { container, rerender } = render(<VoiceNotePlayer src={null} waveform={waveform} durationMs={3000} own={false} />);
    await user.click(screen.getByRole('button', { name: 'Playback speed 1×' }));
    expect(screen.getByRole('button', { name: 'Playback speed 1.5×' })).toBeInTheDocument();
    rerender(<VoiceNotePlayer src="blob:note" waveform={waveform} durationMs={3000} own={false} />);
    const element = audioElement(container);
    expect(element.playbackRate).toBe(1.5);
    expect(element.defaultPlaybackRate).toBe(1.5);
    await user.click(screen.getByRole('button', { name: 'Playback speed 1.5×' }));
    expect(element.playbackRate).toBe(2);
    await user.click(screen.getByRole('button', { name: 'Playback speed 2×' }));
    expect(element.playbackRate).toBe(1);
  });

  it('[F6] without the file (offline, not cached) the waveform and duration show; play and seek are off', () => {
    render(<VoiceNotePlayer src={null} waveform={waveform} durationMs={3200} own />);
    expect(screen.getByText('0:03')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Play voice note' })).toBeDisabled();
    expect(screen.getByRole('slider', { name: 'Seek' })).toBeDisabled();
  });
});
