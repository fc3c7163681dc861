// Readings for tests: the simulator's readings as API request bodies, moved to a recent time (the API
// refuses readings older than the retention), and sent in batches.

import type * as z from 'zod/mini';
import type { Reading } from '../../shared/readings/model.js';
import type { ReadingInput } from '../../shared/readings/schemas.js';
import type { ApiResponse, TestApi } from './api.js';

const DAY = 86_400_000;

/** A reading as a request body: the API's own input type, so a changed contract shows here at once. */
export type ReadingBody = z.input<typeof ReadingInput>;

/** The API body of a reading (the simulator's fractional milliseconds are dropped, as the API does). */
export function toReadingBody(reading: Reading, shiftMs = 0): ReadingBody {
  const body: ReadingBody = { timestamp: new Date(Math.floor(reading.t) + shiftMs).toISOString() };
  for (const field of ['soc', 'powerKw', 'energyKwh', 'rangeKm', 'odometerKm'] as const) {
    if (reading[field] !== undefined) body[field] = reading[field];
  }
  if (reading.isPluggedIn !== undefined) body.isPluggedIn = reading.isPluggedIn;
  if (reading.isCharging !== undefined) body.isCharging = reading.isCharging;
  if (reading.lat !== undefined && reading.lon !== undefined)
    body.location = { lat: reading.lat, lon: reading.lon };
  return body;
}

/** The readings as the engine sees them once stored: whole milliseconds, shifted, one per instant (first wins). */
export function asStored(readings: readonly Reading[], shiftMs = 0): Reading[] {
  const out: Reading[] = [];
  const seen = new Set<number>();
  for (const r of readings) {
    const t = Math.floor(r.t) + shiftMs;
    if (seen.has(t)) continue;
    seen.add(t);
    out.push({ ...r, t });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Whole days that move data ending at `endMs` to end at least `marginMs` before `nowMs`. */
export function shiftToRecent(endMs: number, nowMs: number, marginMs: number): number {
  return Math.floor((nowMs - marginMs - endMs) / DAY) * DAY;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Posts readings in batches of up to 1,000; every answer must be 202. */
export async function postReadings(
  api: TestApi,
  token: string,
  entityId: string,
  bodies: readonly ReadingBody[],
): Promise<ApiResponse[]> {
  const out: ApiResponse[] = [];
  for (const batch of chunks(bodies, 1_000)) {
    const response = await api.request('POST', `/v1/entities/${entityId}/readings`, {
      token,
      body: { readings: batch },
    });
    if (response.status !== 202) throw new Error(`ingest failed: ${response.status} ${response.text}`);
    out.push(response);
  }
  return out;
}
