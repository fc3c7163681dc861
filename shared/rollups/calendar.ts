// Local calendar days in an IANA time zone, pure: which date an instant falls on there, and the instant a
// date begins. Days are whatever the zone's clock makes them: 23 or 25 hours across a DST change, and a
// day may begin at 01:00 where clocks skip midnight. Built on the runtime's tz database (Intl).

/** `YYYY-MM-DD`, a calendar date without a zone. */
export type CalendarDate = string;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** UTC offsets in use span −12:00 to +14:00: a local midnight lies within these bounds of UTC midnight. */
const MAX_AHEAD_MS = 15 * 3_600_000;
const MAX_BEHIND_MS = 13 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for a real date written `YYYY-MM-DD` (2026-02-30 is not one). */
export function isCalendarDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function utcMidnight(date: CalendarDate): number {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`Not a calendar date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function fromUtcMidnight(ms: number): CalendarDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromUtcMidnight(utcMidnight(date) + days * DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS);
}

/** The date an instant falls on in `timeZone`. */
export function localDate(instantMs: number, timeZone: string): CalendarDate {
  let year = '';
  let month = '';
  let day = '';
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year.padStart(4, '0')}-${month}-${day}`;
}

/**
 * The first instant (epoch ms) whose local date in `timeZone` is `date` or later: local midnight, or the
 * first instant after it where a DST change skips midnight. Found by bisection to the millisecond, since
 * the local date never moves backwards as time advances.
 */
export function startOfLocalDay(date: CalendarDate, timeZone: string): number {
  const midnight = utcMidnight(date);
  let before = midnight - MAX_AHEAD_MS; // local date is still earlier here
  let atOrAfter = midnight + MAX_BEHIND_MS; // local date has reached `date` here
  while (atOrAfter - before > 1) {
    const mid = before + Math.floor((atOrAfter - before) / 2);
    if (localDate(mid, timeZone) >= date) atOrAfter = mid;
    else before = mid;
  }
  return atOrAfter;
}

/** The instants `[start, end)` of a local day; `end - start` is 23, 24 or 25 hours around DST changes. */
export function localDayBounds(date: CalendarDate, timeZone: string): { start: number; end: number } {
  return { start: startOfLocalDay(date, timeZone), end: startOfLocalDay(addDays(date, 1), timeZone) };
}
