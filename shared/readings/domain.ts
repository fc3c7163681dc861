// Readings: the rules, as pure functions of the input and the time. Validation beyond the schema (times
// relative to now), one reading per instant (the first one stored wins), the hour buckets readings are
// stored in, and the public shape. No storage, no clock.

import type { FieldError } from '../errors.js';
import { rfc3339ToMs } from '../schema.js';
import type { Reading } from './model.js';
import type { ReadingInput, ReadingResource } from './schemas.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A reading may be this far ahead of the server's clock: device clocks drift and NTP-less telematics
 * units run minutes fast. Further ahead is a wrong clock, and a reading from the future would sit ahead
 * of every later one.
 */
export const MAX_CLOCK_SKEW_MS = 5 * MINUTE;

/**
 * Readings are stored in hour buckets: a bucket is what one write packs together (so ingest costs far
 * less than a write unit per reading), and what ingestion reads back to find duplicates. An hour keeps
 * that read small for dense (10-second) telemetry, where a bucket holds ~360 readings in ~7 KB.
 */
export const BUCKET_MS = 60 * MINUTE;

export function bucketOf(t: number): number {
  return Math.floor(t / BUCKET_MS) * BUCKET_MS;
}

export function retentionMs(days: number): number {
  return days * DAY;
}

/** Readings measured before this instant have expired: never stored, never served, never processed. */
export function expiryCutoff(now: Date, retention: number): number {
  return now.getTime() - retention;
}

/** Epoch seconds when a bucket's newest possible reading expires: DynamoDB's TTL deletes it after that. */
export function bucketTtlSeconds(bucket: number, retention: number): number {
  return Math.ceil((bucket + BUCKET_MS + retention) / 1000);
}

/** The stored reading for an input: whole milliseconds (finer digits are dropped), one fixed shape. */
export function toReading(input: ReadingInput): Reading {
  return {
    t: rfc3339ToMs(input.timestamp) as number, // the schema accepted it
    soc: input.soc ?? undefined,
    powerKw: input.powerKw ?? undefined,
    energyKwh: input.energyKwh ?? undefined,
    rangeKm: input.rangeKm ?? undefined,
    isPluggedIn: input.isPluggedIn ?? undefined,
    isCharging: input.isCharging ?? undefined,
    lat: input.location?.lat ?? undefined,
    lon: input.location?.lon ?? undefined,
    odometerKm: input.odometerKm ?? undefined,
  };
}

/**
 * The per-reading errors that depend on the time: a timestamp ahead of `now` by more than the clock
 * skew allowed, or older than the retention (it would expire at once; refusing it tells the sender
 * rather than dropping it unseen). Indexes are those of the request.
 */
export function readingTimeErrors(
  readings: readonly Reading[],
  now: Date,
  retention: number,
  retentionDays: number,
): FieldError[] {
  const latest = now.getTime() + MAX_CLOCK_SKEW_MS;
  const oldest = expiryCutoff(now, retention);
  const errors: FieldError[] = [];
  readings.forEach((reading, i) => {
    if (reading.t > latest) {
      errors.push({
        in: 'body',
        field: `readings[${i}].timestamp`,
        code: 'in_future',
        message: `More than ${MAX_CLOCK_SKEW_MS / MINUTE} minutes ahead of the server's clock (${now.toISOString()}); check the device clock.`,
      });
    } else if (reading.t < oldest) {
      errors.push({
        in: 'body',
        field: `readings[${i}].timestamp`,
        code: 'too_old',
        message: `Older than the ${retentionDays}-day retention of readings (before ${new Date(oldest).toISOString()}).`,
      });
    }
  });
  return errors;
}

/** Offending fields a refusal lists per kind of time error: enough to find the pattern, never a page of them. */
export const TIME_ERRORS_LISTED = 10;

/**
 * The 400 for readings whose time is refused: a detail that says how many, why and where the first one is,
 * and at most TIME_ERRORS_LISTED field errors of each kind (a batch of 1,000 too-old readings — a device
 * uploading a backlog — would otherwise list 1,000 fields twice). The counts travel as extensions.
 */
export function timeErrorsProblem(
  errors: readonly FieldError[],
  now: Date,
  retention: number,
  retentionDays: number,
): { detail: string; errors: FieldError[]; extensions: { tooOld: number; inFuture: number } } {
  const tooOld = errors.filter((e) => e.code === 'too_old');
  const inFuture = errors.filter((e) => e.code === 'in_future');
  const plural = (n: number) => (n === 1 ? '1 reading is' : `${n} readings are`);
  const first = (list: readonly FieldError[]) =>
    `first: ${list[0]?.field}${list.length > TIME_ERRORS_LISTED ? `; the first ${TIME_ERRORS_LISTED} are listed in errors` : ''}`;
  const parts: string[] = [];
  if (tooOld.length > 0) {
    const cutoff = new Date(expiryCutoff(now, retention)).toISOString();
    parts.push(
      `${plural(tooOld.length)} older than the ${retentionDays}-day retention of readings (before ${cutoff}; ${first(tooOld)})`,
    );
  }
  if (inFuture.length > 0) {
    parts.push(
      `${plural(inFuture.length)} more than ${MAX_CLOCK_SKEW_MS / MINUTE} minutes ahead of the server's clock (${now.toISOString()}; ${first(inFuture)})`,
    );
  }
  // In request order, at most TIME_ERRORS_LISTED of each kind.
  const listed = new Map<string, number>();
  return {
    detail: `${parts.join('; ')}. Nothing was stored.`,
    errors: errors.filter((e) => {
      const seen = (listed.get(e.code) ?? 0) + 1;
      listed.set(e.code, seen);
      return seen <= TIME_ERRORS_LISTED;
    }),
    extensions: { tooOld: tooOld.length, inFuture: inFuture.length },
  };
}

const FIELDS = [
  'soc',
  'powerKw',
  'energyKwh',
  'rangeKm',
  'isPluggedIn',
  'isCharging',
  'lat',
  'lon',
  'odometerKm',
] as const;

/** Two readings of one instant carry the same values (absent equals absent). */
export function sameValues(a: Reading, b: Reading): boolean {
  for (const field of FIELDS) if (a[field] !== b[field]) return false;
  return true;
}

export interface DedupeCount {
  duplicates: number;
  /** Duplicates whose values differ from the reading kept. */
  conflicts: number;
}

/**
 * A request's readings in time order, one per instant, grouped by bucket. Of two readings with one
 * timestamp the first in the request is kept (the same rule as against stored readings: first wins).
 */
export function planBatch(readings: readonly Reading[]): DedupeCount & { buckets: Map<number, Reading[]> } {
  const order = readings.map((_, i) => i);
  order.sort((a, b) => readings[a]!.t - readings[b]!.t || a - b);
  const buckets = new Map<number, Reading[]>();
  let duplicates = 0;
  let conflicts = 0;
  let previous: Reading | undefined;
  for (const i of order) {
    const reading = readings[i]!;
    if (previous !== undefined && previous.t === reading.t) {
      duplicates++;
      if (!sameValues(previous, reading)) conflicts++;
      continue;
    }
    previous = reading;
    const bucket = bucketOf(reading.t);
    const list = buckets.get(bucket);
    if (list) list.push(reading);
    else buckets.set(bucket, [reading]);
  }
  return { buckets, duplicates, conflicts };
}

/**
 * One bucket's readings from its stored segments, in time order, one per instant. Segments come in
 * precedence order (storage order: the earlier write first) and each is in time order; when two
 * segments hold the same instant (possible only among segments stored before they were numbered, when
 * two requests raced), the earlier segment's reading wins, so every reader sees the same reading.
 */
export function mergeSegments(segments: readonly (readonly Reading[])[]): Reading[] {
  if (segments.length === 0) return [];
  if (segments.length === 1) return segments[0] as Reading[];
  const all: Reading[] = [];
  for (const segment of segments) for (const reading of segment) all.push(reading);
  // Stable: among equal times the earlier segment's reading stays first.
  all.sort((a, b) => a.t - b.t);
  const out: Reading[] = [];
  let last = Number.NaN;
  for (const reading of all) {
    if (reading.t === last) continue;
    out.push(reading);
    last = reading.t;
  }
  return out;
}

/** Which incoming readings (time order, unique) are new to a bucket whose stored readings are `stored`. */
export function newReadings(
  stored: readonly Reading[],
  incoming: readonly Reading[],
): DedupeCount & { fresh: Reading[] } {
  const fresh: Reading[] = [];
  let duplicates = 0;
  let conflicts = 0;
  let j = 0;
  for (const reading of incoming) {
    while (j < stored.length && stored[j]!.t < reading.t) j++;
    const existing = stored[j];
    if (existing !== undefined && existing.t === reading.t) {
      duplicates++;
      if (!sameValues(existing, reading)) conflicts++;
    } else {
      fresh.push(reading);
    }
  }
  return { fresh, duplicates, conflicts };
}

/** Two runs in time order with no instant in common, as one run in time order. */
export function mergeDisjoint(a: readonly Reading[], b: readonly Reading[]): Reading[] {
  const out: Reading[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]!.t < b[j]!.t ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** The public shape: the instant in UTC; the exact position only for tenants that opted in. */
export function toReadingResource(reading: Reading, exactLocations: boolean): ReadingResource {
  const out: ReadingResource = { timestamp: new Date(reading.t).toISOString() };
  if (reading.soc !== undefined) out.soc = reading.soc;
  if (reading.powerKw !== undefined) out.powerKw = reading.powerKw;
  if (reading.energyKwh !== undefined) out.energyKwh = reading.energyKwh;
  if (reading.rangeKm !== undefined) out.rangeKm = reading.rangeKm;
  if (reading.isPluggedIn !== undefined) out.isPluggedIn = reading.isPluggedIn;
  if (reading.isCharging !== undefined) out.isCharging = reading.isCharging;
  if (exactLocations && reading.lat !== undefined && reading.lon !== undefined) {
    out.location = { lat: reading.lat, lon: reading.lon };
  }
  if (reading.odometerKm !== undefined) out.odometerKm = reading.odometerKm;
  return out;
}
