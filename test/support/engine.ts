// Hand-built readings for the engine's unit tests (one home for the helper every engine test uses).

import type { Reading } from '../../shared/readings/model.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** Readings every `stepMs` from `from` (inclusive) to `to` (exclusive). */
export function series(
  from: number,
  to: number,
  stepMs: number,
  fields: (t: number, index: number) => Omit<Reading, 't'>,
): Reading[] {
  const out: Reading[] = [];
  for (let t = from, i = 0; t < to; t += stepMs, i++) out.push({ t, ...fields(t, i) });
  return out;
}

/** A point `meters` north of (lat, lon). */
export function north(lat: number, lon: number, meters: number): { lat: number; lon: number } {
  return { lat: lat + meters / 111_194.93, lon };
}
