import { dayKey, formatDayLabel, formatListTime, formatTime, minutesBetween } from './format-time';

describe('format-time', () => {
  const now = new Date(2025, 5, 15, 10, 30); // 15 June 2025, local time

  it('labels today, yesterday, and older days by date', () => {
    expect(formatDayLabel(new Date(2025, 5, 15, 0, 1).toISOString(), now)).toBe('Today');
    expect(formatDayLabel(new Date(2025, 5, 14, 23, 59).toISOString(), now)).toBe('Yesterday');
    const older = formatDayLabel(new Date(2025, 5, 10, 12).toISOString(), now);
    expect(older).not.toMatch(/Today|Yesterday|2025/);
    expect(older).toMatch(/10/);
    expect(formatDayLabel(new Date(2024, 11, 31, 12).toISOString(), now)).toMatch(/2024/);
  });

  it('keys instants by local calendar day', () => {
    expect(dayKey(new Date(2025, 5, 15, 0, 0).toISOString())).toBe(dayKey(new Date(2025, 5, 15, 23, 59).toISOString()));
    expect(dayKey(new Date(2025, 5, 15, 23, 59).toISOString())).not.toBe(dayKey(new Date(2025, 5, 16, 0, 0).toISOString()));
  });

  it('[M6] writes the room list\'s times short: the time today, then Yesterday, the weekday, the date', () => {
    expect(formatListTime(new Date(2025, 5, 15, 9, 5).toISOString(), now)).toMatch(/9[:.]05/);
    expect(formatListTime(new Date(2025, 5, 14, 22, 0).toISOString(), now)).toBe('Yesterday');
    const weekday = formatListTime(new Date(2025, 5, 11, 12).toISOString(), now);
    expect(weekday).toMatch(/^[A-Z][a-z]{2}/);
    expect(weekday).not.toMatch(/\d/);
    expect(formatListTime(new Date(2025, 4, 1, 12).toISOString(), now)).toMatch(/\d/);
    expect(formatListTime('nope', now)).toBe('');
  });

  it('tolerates bad dates', () => {
    expect(formatTime('not a date')).toBe('');
    expect(minutesBetween('nope', new Date().toISOString())).toBe(Infinity);
  });
});
