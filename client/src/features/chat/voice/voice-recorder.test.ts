import { startRecording } from './voice-recorder';

/** jsdom has neither a microphone, MediaRecorder nor Web Audio: stand-ins that record what was done to them. */
function fakeAudio() {
  const track = { stop: vi.fn() };
  const analyser = { fftSize: 0, getFloatTimeDomainData: vi.fn((buffer: Float32Array) => buffer.fill(0.25)) };
  const contexts: { close: ReturnType<typeof vi.fn> }[] = [];
  vi.stubGlobal(
    'AudioContext',
    class {
      close = vi.fn(async () => undefined);
      constructor() {
        contexts.push(this);
      }
      createAnalyser() {
        return analyser;
      }
      createMediaStreamSource() {
        return { connect: vi.fn() };
      }
    },
  );
  vi.stubGlobal(
    'MediaRecorder',
    class {
      static isTypeSupported = () => true;
      state = 'inactive';
      mimeType = 'audio/webm;codecs=opus';
      ondataavailable: ((event: { data: Blob }) => void) | null = null;
      onstop: (() => void) | null = null;
      start() {
        this.state = 'recording';
      }
      stop() {
        this.state = 'inactive';
        this.ondataavailable?.({ data: new Blob(['opus']) });
        this.onstop?.();
      }
    },
  );
  Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia: vi.fn(async () => ({ getTracks: () => [track] })) }, configurable: true });
  return { track, analyser, contexts };
}

describe('voice recorder', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
  });

  it('[F1] hands the analyser to the level meter; stopping closes the AudioContext and the microphone', async () => {
    const audio = fakeAudio();
    const recording = await startRecording();
    expect(recording.levels).toBe(audio.analyser);
    expect(audio.contexts).toHaveLength(1);
    const note = await recording.stop();
    expect(note.mime).toBe('audio/webm');
    expect(note.blob.size).toBeGreaterThan(0);
    expect(audio.contexts[0].close).toHaveBeenCalledTimes(1);
    expect(audio.track.stop).toHaveBeenCalled();
  });

  it('[F1] cancelling closes the AudioContext and the microphone too', async () => {
    const audio = fakeAudio();
    const recording = await startRecording();
    recording.cancel();
    expect(audio.contexts[0].close).toHaveBeenCalledTimes(1);
    expect(audio.track.stop).toHaveBeenCalled();
  });
});
