// The stored form of a run of readings (a *segment*): columnar JSON, deflated. Columns compress far better
// than rows (a parked car repeats its SoC, position and flags), timestamps are kept as deltas, and a
// preset dictionary of the column names keeps even a one-reading segment small. Lossless: every number
// round-trips exactly (JSON writes the shortest exact decimal of a double). Pure functions, no storage.

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Reading } from './model.js';

/** The first byte of every segment; a new layout or dictionary gets a new version, old ones stay readable. */
const FORMAT_V1 = 1;

/** The columns after `t`, in the fixed order of the Reading shape. */
const NUMBER_COLUMNS = ['soc', 'powerKw', 'energyKwh', 'rangeKm'] as const;
const FLAG_COLUMNS = ['isPluggedIn', 'isCharging'] as const;
const TAIL_COLUMNS = ['lat', 'lon', 'odometerKm'] as const;

/**
 * What deflate may refer back to before the data starts: the column names and common runs. It is part
 * of FORMAT_V1; changing it would make stored segments unreadable, so a change needs a new version.
 */
const DICTIONARY_V1 = Buffer.from(
  '{"t":[,"soc":[,"powerKw":[,"energyKwh":[,"rangeKm":[,"isPluggedIn":[,"isCharging":[,"lat":[,"lon":[,"odometerKm":[null,null,null,0,0,0,0,1,1,1,1,]}',
);

type Columns = { t: number[] } & Partial<Record<string, (number | null)[]>>;

/**
 * Encodes readings that are in strict time order with whole-millisecond timestamps (one per instant):
 * the caller (ingestion) guarantees both.
 */
export function encodeSegment(readings: readonly Reading[]): Uint8Array {
  const n = readings.length;
  const t = new Array<number>(n);
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const time = readings[i]!.t;
    t[i] = time - previous;
    previous = time;
  }
  const columns: Columns = { t };
  for (const name of NUMBER_COLUMNS) addNumberColumn(columns, name, readings);
  for (const name of FLAG_COLUMNS) {
    if (!readings.some((r) => r[name] !== undefined)) continue;
    columns[name] = readings.map((r) => (r[name] === undefined ? null : r[name] ? 1 : 0));
  }
  for (const name of TAIL_COLUMNS) addNumberColumn(columns, name, readings);
  const packed = deflateRawSync(JSON.stringify(columns), { dictionary: DICTIONARY_V1 });
  const out = new Uint8Array(packed.length + 1);
  out[0] = FORMAT_V1;
  out.set(packed, 1);
  return out;
}

function addNumberColumn(columns: Columns, name: string, readings: readonly Reading[]): void {
  const key = name as (typeof NUMBER_COLUMNS)[number] | (typeof TAIL_COLUMNS)[number];
  if (!readings.some((r) => r[key] !== undefined)) return;
  columns[name] = readings.map((r) => r[key] ?? null);
}

const EMPTY: never[] = [];

/**
 * The readings of a segment in time order, each as one object literal of one fixed shape (all ten
 * fields, absent ones undefined): the engine's hot loop stays monomorphic on them.
 */
export function decodeSegment(bytes: Uint8Array): Reading[] {
  if (bytes[0] !== FORMAT_V1) throw new Error(`Unknown readings segment format ${bytes[0]}`);
  const json = inflateRawSync(bytes.subarray(1), { dictionary: DICTIONARY_V1 }).toString('utf8');
  const c = JSON.parse(json) as Columns;
  const dt = c.t;
  const soc = c.soc ?? EMPTY;
  const powerKw = c.powerKw ?? EMPTY;
  const energyKwh = c.energyKwh ?? EMPTY;
  const rangeKm = c.rangeKm ?? EMPTY;
  const plugged = c.isPluggedIn ?? EMPTY;
  const charging = c.isCharging ?? EMPTY;
  const lat = c.lat ?? EMPTY;
  const lon = c.lon ?? EMPTY;
  const odometerKm = c.odometerKm ?? EMPTY;
  const out = new Array<Reading>(dt.length);
  let t = 0;
  for (let i = 0; i < dt.length; i++) {
    t += dt[i]!;
    const p = plugged[i];
    const ch = charging[i];
    out[i] = {
      t,
      soc: soc[i] ?? undefined,
      powerKw: powerKw[i] ?? undefined,
      energyKwh: energyKwh[i] ?? undefined,
      rangeKm: rangeKm[i] ?? undefined,
      isPluggedIn: p === null || p === undefined ? undefined : p === 1,
      isCharging: ch === null || ch === undefined ? undefined : ch === 1,
      lat: lat[i] ?? undefined,
      lon: lon[i] ?? undefined,
      odometerKm: odometerKm[i] ?? undefined,
    };
  }
  return out;
}
