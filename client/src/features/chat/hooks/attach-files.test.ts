import { audioDetails, MAX_DECODE_BYTES, MAX_DECODE_DURATION_MS, toNewFiles } from './attach-files';
import { levelsOf, WAVEFORM_LEVELS } from '../voice/waveform';

/** jsdom has no Web Audio: an OfflineAudioContext whose decode gives `seconds` of a quiet-then-loud signal, or fails. */
function fakeDecoder({ seconds = 2, fails = false } = {}) {
  const decodeAudioData = vi.fn(async () => {
    if (fails) throw new DOMException('Unable to decode audio data', 'EncodingError');
    const sampleRate = 8000;
    const data = Float32Array.from({ length: sampleRate * seconds }, (_, i) => (i < sampleRate * (seconds / 2) ? 0.01 : 0.9));
    return { length: data.length, duration: seconds, sampleRate, numberOfChannels: 1, getChannelData: () => data };
  });
  const created: unknown[][] = [];
  vi.stubGlobal(
    'OfflineAudioContext',
    class {
      decodeAudioData = decodeAudioData;
      constructor(...args: unknown[]) {
        created.push(args);
      }
    },
  );
  return { decodeAudioData, created };
}

/** An <audio> element that reads a length of `seconds` (Infinity as MediaRecorder's WebM says, null: it cannot read the file). */
function fakeAudioElement(seconds: number | null) {
  vi.stubGlobal('URL', Object.assign(Object.create(URL) as typeof URL, { createObjectURL: () => 'blob:fake', revokeObjectURL: () => undefined }));
  vi.stubGlobal(
    'Audio',
    class {
      duration = seconds ?? NaN;
      preload = '';
      onloadedmetadata: (() => void) | null = null;
      onerror: (() => void) | null = null;
      set src(_url: string) {
        queueMicrotask(() => (seconds === null ? this.onerror?.() : this.onloadedmetadata?.()));
      }
    },
  );
}

describe('picked audio files', () => {
  beforeEach(() => {
    fakeAudioElement(null);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('[F1][F2] a picked audio file gets a duration and a waveform, as a voice note has', async () => {
    const decoder = fakeDecoder({ seconds: 3 });
    const [file] = await toNewFiles([new File([new Uint8Array(64)], 'song.mp3', { type: 'audio/mpeg' })]);
    expect(file.kind).toBe('audio');
    // The <audio> element could not say: the decoded length is used.
    expect(file.duration_ms).toBe(3000);
    const levels = levelsOf(file.waveform ?? null);
    expect(levels).toHaveLength(WAVEFORM_LEVELS);
    expect(levels[0]).toBeLessThan(0.1);
    expect(levels.at(-1)).toBe(1);
    // Decoded at a low rate: the loudness needs no more, and the memory is a fraction.
    expect(decoder.created[0]).toEqual([1, 1, 8000]);
  });

  it('[F1][F2] a file over the size bound is not decoded; one that fails to decode goes without a waveform', async () => {
    const decoder = fakeDecoder();
    const big = new File([new Uint8Array(MAX_DECODE_BYTES + 1)], 'long.mp3', { type: 'audio/mpeg' });
    expect(await audioDetails(big)).toEqual({ duration_ms: null, waveform: null });
    expect(decoder.decodeAudioData).not.toHaveBeenCalled();

    fakeAudioElement(MAX_DECODE_DURATION_MS / 1000 + 1);
    expect(await audioDetails(new File([new Uint8Array(16)], 'audiobook.m4a', { type: 'audio/mp4' }))).toEqual({ duration_ms: MAX_DECODE_DURATION_MS + 1000, waveform: null });
    expect(decoder.decodeAudioData).not.toHaveBeenCalled();

    fakeAudioElement(null);
    fakeDecoder({ fails: true });
    expect(await audioDetails(new File([new Uint8Array(16)], 'odd.mp3', { type: 'audio/mpeg' }))).toEqual({ duration_ms: null, waveform: null });
  });

  it('[F1][F2] the <audio> element\'s length is kept when it has one', async () => {
    fakeAudioElement(2.5);
    fakeDecoder({ seconds: 3 });
    const details = await audioDetails(new File([new Uint8Array(16)], 'a.mp3', { type: 'audio/mpeg' }));
    expect(details.duration_ms).toBe(2500);
    expect(levelsOf(details.waveform ?? null)).toHaveLength(WAVEFORM_LEVELS);
  });

  it('[F1][F2] without Web Audio, nothing is decoded and the file still goes', async () => {
    vi.stubGlobal('OfflineAudioContext', undefined);
    vi.stubGlobal('AudioContext', undefined);
    const [file] = await toNewFiles([new File([new Uint8Array(16)], 'a.ogg', { type: 'audio/ogg' })]);
    expect(file).toMatchObject({ kind: 'audio', duration_ms: null, waveform: null });
  });
});
