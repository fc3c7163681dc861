// Local wall-clock time of an instant in an IANA zone, and the instants where a zone's offset changes.
// Pure: the tz database is the runtime's own (Intl).

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at `t`, in whole minutes (every zone in use today has whole-minute offsets). */
export function offsetMinutes(zone: string, t: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return Math.round((asUtc - Math.floor(t / 1000) * 1000) / MINUTE);
}

export interface LocalMoment {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Minutes after local midnight, fractional (10:00:30 is 600.5). */
  minuteOfDay: number;
  /** 0 = Sunday, as Date#getDay. */
  dayOfWeek: number;
}

export function localMoment(t: number, offset: number): LocalMoment {
  const local = new Date(t + offset * MINUTE);
  return {
    date: local.toISOString().slice(0, 10),
    minuteOfDay:
      local.getUTCHours() * 60 +
      local.getUTCMinutes() +
      (local.getUTCSeconds() * 1000 + local.getUTCMilliseconds()) / MINUTE,
    dayOfWeek: local.getUTCDay(),
  };
}

/**
 * The zone's offsets over [from, to]: the offset at `from`, then each change with the instant (to the
 * minute) it takes effect. Sampled hourly — no zone changes its offset twice within an hour — and each
 * change is narrowed to its minute by bisection, so a day costs ~25 lookups, not 1,440.
 */
export function offsetChanges(zone: string, from: number, to: number): { at: number; offset: number }[] {
  const start = Math.floor(from / MINUTE) * MINUTE;
  const out = [{ at: from, offset: offsetMinutes(zone, from) }];
  let prevT = start;
  let prev = out[0]!.offset;
  for (let t = start + HOUR; prevT < to; t += HOUR) {
    const probe = Math.min(t, Math.ceil(to / MINUTE) * MINUTE);
    const offset = offsetMinutes(zone, probe);
    if (offset !== prev) {
      let lo = prevT;
      let hi = probe;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (offsetMinutes(zone, mid) === prev) lo = mid;
        else hi = mid;
      }
      if (hi > from && hi < to) out.push({ at: hi, offset });
      else if (hi <= from) out[0] = { at: from, offset };
      prev = offset;
    }
    prevT = probe;
  }
  return out;
}
