/**
 * F1: recording a voice note with MediaRecorder (Opus in WebM where the
 * browser has it), sampling its loudness meanwhile for the waveform.
 * Loaded lazily, on the first press of the mic button.
 */
import { reduceLevels, rms, toBase64 } from './waveform';

export interface VoiceNote {
  blob: Blob;
  mime: string;
  durationMs: number;
  /** Base64 of WAVEFORM_LEVELS bytes. */
  waveform: string;
}

/** What the live level meter reads: an AnalyserNode, or a stand-in in tests (there is no Web Audio in jsdom). */
export type LevelSource = Pick<AnalyserNode, 'fftSize' | 'getFloatTimeDomainData'>;

export interface Recording {
  /** The microphone's signal, for the live level meter while recording (F1). */
  levels: LevelSource;
  /** Ends the recording and hands over the note. */
  stop(): Promise<VoiceNote>;
  /** Ends it and throws it away. */
  cancel(): void;
}

const PREFERRED_MIME = 'audio/webm;codecs=opus';
/** How often loudness is sampled (ms). */
const SAMPLE_MS = 50;

export async function startRecording(): Promise<Recording> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mimeType = MediaRecorder.isTypeSupported(PREFERRED_MIME) ? PREFERRED_MIME : '';
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  };

  // Loudness (RMS of the time-domain signal) every SAMPLE_MS, for the waveform.
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  const levels: number[] = [];
  const sampler = setInterval(() => {
    analyser.getFloatTimeDomainData(buffer);
    levels.push(rms(buffer));
  }, SAMPLE_MS);

  const startedAt = performance.now();
  recorder.start();
  const release = () => {
    clearInterval(sampler);
    for (const track of stream.getTracks()) track.stop();
    void context.close().catch(() => undefined);
  };

  return {
    levels: analyser,
    stop: () =>
      new Promise<VoiceNote>((resolve, reject) => {
        recorder.onstop = () => {
          const mime = (recorder.mimeType || PREFERRED_MIME).split(';')[0];
          resolve({ blob: new Blob(chunks, { type: mime }), mime, durationMs: Math.round(performance.now() - startedAt), waveform: toBase64(reduceLevels(levels)) });
        };
        recorder.onerror = () => reject(new Error('recording failed'));
        release();
        recorder.stop();
      }),
    cancel() {
      recorder.onstop = null;
      release();
      if (recorder.state !== 'inactive') recorder.stop();
    },
  };
}
