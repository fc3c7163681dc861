// Local wall-clock time ↔ UTC for IANA zones, via Intl (test-only; the engine never needs zones).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(timeZone: string, utcMs: number): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetMs(timeZone: string, utcMs: number): number {
  const p = localParts(timeZone, utcMs);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/**
 * The instant a local wall-clock time names. In a spring-forward hole it moves forward by the jump; in
 * a fall-back overlap it picks the first occurrence.
 */
export function localToUtc(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  const before = naive - offsetMs(timeZone, naive - 12 * 3_600_000);
  const after = naive - offsetMs(timeZone, naive + 12 * 3_600_000);
  const valid = [before, after].filter((u) => u + offsetMs(timeZone, u) === naive);
  // No valid reading: a spring-forward hole; the pre-transition offset lands just after the jump.
  return valid.length > 0 ? Math.min(...valid) : before;
}

/** Local calendar date (y, m, d) a number of days after another, independent of zone. */
export function addDays(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

export function localDateKey(timeZone: string, utcMs: number): string {
  const p = localParts(timeZone, utcMs);
  return `${p.year}-${p.month}-${p.day}`;
}
