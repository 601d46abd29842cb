/**
 * Date helpers for the message stream and the room list. Everything is in the user's local
 * time zone and locale; `now` is a parameter so tests can pin it.
 */

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * One formatter per format, made on first use: `toLocaleTimeString(undefined,
 * options)` builds a new Intl.DateTimeFormat on every call, which is most of
 * the cost of drawing a bubble. Same output (the default locale).
 */
let timeFormat: Intl.DateTimeFormat | undefined;
let fullDateTimeFormat: Intl.DateTimeFormat | undefined;
let dayFormat: Intl.DateTimeFormat | undefined;
let dayWithYearFormat: Intl.DateTimeFormat | undefined;
let weekdayFormat: Intl.DateTimeFormat | undefined;
let shortDateFormat: Intl.DateTimeFormat | undefined;

/**
 * "14:05" or "2:05 PM", as the locale prefers; no leading zero on the hour
 * ("02:05 PM" reads like a timer). Empty for a bad date.
 */
export function formatTime(iso: string): string {
  const date = parse(iso);
  if (!date) return '';
  timeFormat ??= new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
  return timeFormat.format(date);
}

/** Full date and time, for a `title` tooltip. */
export function formatFullDateTime(iso: string): string {
  const date = parse(iso);
  if (!date) return '';
  fullDateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
  return fullDateTimeFormat.format(date);
}

/** A key that is equal for two instants on the same local calendar day. */
export function dayKey(iso: string): string {
  const date = parse(iso);
  if (!date) return 'unknown';
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** Local midnight of the day of `iso` (ms since the epoch), for ordering days; NaN for a bad date. */
export function dayStart(iso: string): number {
  const date = parse(iso);
  return date ? startOfDay(date) : NaN;
}

/** "Today", "Yesterday", or a date such as "Monday, 3 March" (year added when not this year). */
export function formatDayLabel(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return 'Unknown date';
  // Round, not floor: a DST change makes a calendar day 23 or 25 hours long.
  const days = Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (date.getFullYear() === now.getFullYear()) {
    dayFormat ??= new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
    return dayFormat.format(date);
  }
  dayWithYearFormat ??= new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return dayWithYearFormat.format(date);
}

/** Minutes between two instants (absolute); Infinity when either is not a date. */
export function minutesBetween(a: string, b: string): number {
  const da = parse(a);
  const db = parse(b);
  if (!da || !db) return Infinity;
  return Math.abs(db.getTime() - da.getTime()) / 60_000;
}

/**
 * The room list's time of last activity, as short as chat apps write it:
 * the time today, "Yesterday", the weekday within the last week, else the
 * date ("3/14/26", as the locale writes it).
 */
export function formatListTime(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return '';
  const days = Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
  if (days <= 0) return formatTime(iso);
  if (days === 1) return 'Yesterday';
  if (days < 7) {
    weekdayFormat ??= new Intl.DateTimeFormat(undefined, { weekday: 'short' });
    return weekdayFormat.format(date);
  }
  shortDateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'short' });
  return shortDateFormat.format(date);
}
