// Rules for one upload of dynamic prices, pure: each point lasts a minute to a day within one UTC day,
// and the points, ordered by start, tile one continuous span: no overlaps (which price would hold?) and no
// gaps (a missing hour is an upload error, not a moment with no price). Within one UTC day because prices
// are stored by the UTC day they start on and an upload replaces whole days: a point running past
// midnight would outlive a later upload of the next day and overlap it. Day-ahead markets publish hourly
// or 15-minute points, which never cross midnight (one may end exactly at it).

import type { FieldError } from '../errors.js';
import { rfc3339ToMs } from '../schema.js';
import type { PricePoint } from './model.js';
import { MAX_PRICE_POINT_MS, MIN_PRICE_POINT_MS } from './schemas.js';

/** The series ordered by start, or the problems found (with the index each had in the upload). */
export function checkSeries(input: readonly { start: string; end: string; price: number }[]): {
  points: PricePoint[];
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const indexed = input.map((p, i) => ({
    i,
    // The schema accepted both as RFC 3339, so they parse.
    start: rfc3339ToMs(p.start) as number,
    end: rfc3339ToMs(p.end) as number,
    price: p.price,
  }));
  for (const p of indexed) {
    const length = p.end - p.start;
    if (!(length >= MIN_PRICE_POINT_MS && length <= MAX_PRICE_POINT_MS)) {
      errors.push({
        in: 'body',
        field: `prices[${p.i}].end`,
        code: 'invalid_duration',
        message: 'A price point must last from one minute to one day, ending after it starts.',
      });
    } else if (p.end > nextUtcMidnight(p.start)) {
      errors.push({
        in: 'body',
        field: `prices[${p.i}].end`,
        code: 'crosses_midnight',
        message: `A price point must end by the UTC midnight after its start (${new Date(nextUtcMidnight(p.start)).toISOString()}): split it there.`,
      });
    }
  }
  indexed.sort((a, b) => a.start - b.start || a.i - b.i);
  for (let k = 1; k < indexed.length; k++) {
    const prev = indexed[k - 1]!;
    const cur = indexed[k]!;
    if (cur.start < prev.end) {
      errors.push({
        in: 'body',
        field: `prices[${cur.i}].start`,
        code: 'overlap',
        message: `Overlaps prices[${prev.i}], which ends at ${new Date(prev.end).toISOString()}.`,
      });
    } else if (cur.start > prev.end) {
      errors.push({
        in: 'body',
        field: `prices[${cur.i}].start`,
        code: 'gap',
        message: `Leaves a gap after prices[${prev.i}], which ends at ${new Date(prev.end).toISOString()}.`,
      });
    }
  }
  return { points: indexed.map(({ start, end, price }) => ({ start, end, price })), errors };
}

const DAY_MS = 86_400_000;
function nextUtcMidnight(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS + DAY_MS;
}
