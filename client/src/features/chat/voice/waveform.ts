/** F1: a voice note's waveform: this many levels, one byte each (0–255). */
export const WAVEFORM_LEVELS = 64;

/** Levels sampled while recording (0–1, any count), folded into WAVEFORM_LEVELS bytes: each the loudest of its share, scaled to the loudest overall. */
export function reduceLevels(samples: readonly number[], count = WAVEFORM_LEVELS): Uint8Array {
  const out = new Uint8Array(count);
  if (samples.length === 0) return out;
  const peak = Math.max(...samples, 1e-6);
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * samples.length) / count);
    const to = Math.max(from + 1, Math.floor(((i + 1) * samples.length) / count));
    let loudest = 0;
    for (let j = from; j < to && j < samples.length; j++) loudest = Math.max(loudest, samples[j]);
    out[i] = Math.round((loudest / peak) * 255);
  }
  return out;
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
