import { FILE_SAMPLE_MS, levelsOf, reduceLevels, rms, toBase64, WAVEFORM_LEVELS, waveformOfChannels } from './waveform';

describe('voice note waveform', () => {
  it('[F1] folds any number of samples into 64 bytes, the loudest at 255', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => (i === 500 ? 0.8 : 0.2));
    const levels = reduceLevels(samples);
    expect(levels).toHaveLength(WAVEFORM_LEVELS);
    expect(Math.max(...levels)).toBe(255);
    expect(levels[0]).toBe(Math.round((0.2 / 0.8) * 255));
    expect(toBase64(levels).length).toBeLessThanOrEqual(88);
  });

  it('[F1] a short recording still gives 64 levels; the base64 reads back', () => {
    const levels = reduceLevels([0.5, 1]);
    expect(levels).toHaveLength(64);
    expect(levelsOf(toBase64(levels))).toHaveLength(64);
    expect(levelsOf('not base64!')).toEqual([]);
    expect(reduceLevels([])).toEqual(new Uint8Array(64));
  });

  it('[F1] loudness is the RMS: silence 0, a constant 0.5 gives 0.5, a full-scale square wave 1', () => {
    expect(rms(new Float32Array(100))).toBe(0);
    expect(rms(new Float32Array(100).fill(0.5))).toBeCloseTo(0.5);
    expect(rms(Float32Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1)))).toBeCloseTo(1);
    expect(rms([1, 1, 0, 0], 2, 4)).toBe(0);
    expect(rms([], 0, 0)).toBe(0);
  });

  it('[F1][F2] an audio file\'s waveform: quiet first half, loud second half, the channels mixed', () => {
    const rate = 8000;
    const seconds = 4;
    const left = Float32Array.from({ length: rate * seconds }, (_, i) => (i < (rate * seconds) / 2 ? 0.05 : 0.8) * Math.sin(i / 3));
    // The right channel is silent: mixed, the shape stays.
    const right = new Float32Array(rate * seconds);
    const levels = waveformOfChannels([left, right], rate);
    expect(levels).toHaveLength(WAVEFORM_LEVELS);
    expect(Math.max(...levels)).toBe(255);
    const firstHalf = Math.max(...levels.slice(0, WAVEFORM_LEVELS / 2 - 1));
    const secondHalf = Math.min(...levels.slice(WAVEFORM_LEVELS / 2 + 1));
    expect(firstHalf).toBeLessThan(30);
    expect(secondHalf).toBeGreaterThan(200);
  });

  it('[F1][F2] a file shorter than 64 samples of FILE_SAMPLE_MS, an empty or odd one still gives 64 levels', () => {
    const rate = 1000;
    const short = new Float32Array((rate * FILE_SAMPLE_MS * 3) / 1000).fill(0.3);
    expect(waveformOfChannels([short], rate)).toHaveLength(WAVEFORM_LEVELS);
    expect(Math.max(...waveformOfChannels([short], rate))).toBe(255);
    expect(waveformOfChannels([], rate)).toEqual(new Uint8Array(WAVEFORM_LEVELS));
    expect(waveformOfChannels([new Float32Array(0)], rate)).toEqual(new Uint8Array(WAVEFORM_LEVELS));
    expect(waveformOfChannels([short], 0)).toEqual(new Uint8Array(WAVEFORM_LEVELS));
  });

  it('[F1] a long file (an hour of 50 ms samples) folds without overflowing the argument list', () => {
    const samples = Array.from({ length: 200_000 }, (_, i) => (i === 123_456 ? 1 : 0.1));
    expect(Math.max(...reduceLevels(samples))).toBe(255);
  });
});
