// Units and local times as people read them. Every time is shown in a named zone (the entity's own, or the
// browser's where no entity applies), and every number carries its unit.

const numberFormats = new Map<number, Intl.NumberFormat>();
function fixed(value: number, digits: number): string {
  let format = numberFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(digits, format);
  }
  return format.format(value);
}

export const kwh = (value: number) => `${fixed(value, value >= 1000 ? 0 : 1)} kWh`;
export const kw = (value: number) => `${fixed(value, 1)} kW`;
export const percent = (value: number) => `${fixed(value, 0)} %`;
export const km = (value: number) => `${fixed(value, 0)} km`;
export const count = (value: number) => fixed(value, 0);

/**
 * An amount the API gives in minor units (cents), shown in its currency: "€12.34", "¥1,200". The currency's
 * own number of decimals comes from Intl (2 for EUR, 0 for JPY), so 1234 EUR cents is €12.34.
 */
export function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
  const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** decimals);
}

export function duration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "Europe/Amsterdam (CET)": the IANA name people configured and the abbreviation in force at `at`. */
export function zoneLabel(timeZone: string, at: Date = new Date()): string {
  const short = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  return short && short !== timeZone ? `${timeZone} (${short})` : timeZone;
}

/** "Mon 7 Dec 2026, 14:03" in the zone. */
export function dateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

export function time(iso: string | number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** The calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(at: Date | string | number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Milliseconds since local midnight of the instant's day in the zone (DST days have 23 or 25 hours). */
export function localMinutesOfDay(at: Date | string | number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** A calendar date `days` after `date` (YYYY-MM-DD arithmetic in UTC, free of any zone). */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

export function dayLabel(date: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).format(new Date(`${date}T00:00:00Z`));
}

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
