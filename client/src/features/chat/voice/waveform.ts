/** F1: a voice note's waveform: this many levels, one byte each (0–255). */
export const WAVEFORM_LEVELS = 64;

/** Levels sampled while recording (0–1, any count), folded into WAVEFORM_LEVELS bytes: each the loudest of its share, scaled to the loudest overall. */
export function reduceLevels(samples: readonly number[], count = WAVEFORM_LEVELS): Uint8Array {
  const out = new Uint8Array(count);
  if (samples.length === 0) return out;
  // A loop, not Math.max(...samples): a long file's samples could overflow the argument list.
  let peak = 1e-6;
  for (const sample of samples) peak = Math.max(peak, sample);
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * samples.length) / count);
    const to = Math.max(from + 1, Math.floor(((i + 1) * samples.length) / count));
    let loudest = 0;
    for (let j = from; j < to && j < samples.length; j++) loudest = Math.max(loudest, samples[j]);
    out[i] = Math.round((loudest / peak) * 255);
  }
  return out;
}

/** Loudness of a stretch of signal: its root mean square (0 for silence, about 0.7 for a full-scale sine). */
export function rms(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (to - from));
}

/** How long a stretch one loudness sample of a decoded file covers (ms): the recorder samples as often (voice-recorder.ts). */
export const FILE_SAMPLE_MS = 50;

/**
 * F1, F2: the waveform of a decoded audio file, as a voice note's: the
 * loudness (RMS, channels mixed) of every FILE_SAMPLE_MS, folded into
 * `count` levels. Empty input gives all zeros.
 */
export function waveformOfChannels(channels: readonly Float32Array[], sampleRate: number, count = WAVEFORM_LEVELS): Uint8Array {
  const length = Math.min(...channels.map((channel) => channel.length));
  if (channels.length === 0 || !Number.isFinite(length) || length === 0 || sampleRate <= 0) return new Uint8Array(count);
  const window = Math.max(1, Math.round((sampleRate * FILE_SAMPLE_MS) / 1000));
  const levels: number[] = [];
  for (let from = 0; from < length; from += window) {
    const to = Math.min(length, from + window);
    let sum = 0;
    for (const channel of channels) {
      const level = rms(channel, from, to);
      sum += level * level;
    }
    levels.push(Math.sqrt(sum / channels.length));
  }
  return reduceLevels(levels, count);
}

export function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** A base64 waveform as levels 0–1 (empty when there is none or it is malformed). */
export function levelsOf(waveform: string | null): number[] {
  if (!waveform) return [];
  try {
    return [...Uint8Array.from(atob(waveform), (c) => c.charCodeAt(0))].map((byte) => byte / 255);
  } catch {
    return [];
  }
}
