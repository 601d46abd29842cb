import { levelsOf, reduceLevels, toBase64, WAVEFORM_LEVELS } from './waveform';

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
});
