// Small geometry and statistics helpers shared by the engine's stages.

const DEGREE = Math.PI / 180;
/** One degree of latitude (and of longitude at the equator) on the mean Earth, in metres. */
const METERS_PER_DEGREE = 111_194.93;

/** Metres between two nearby points (equirectangular: exact enough for the few-hundred-metre movement checks). */
export function metersApart(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const x = (lon2 - lon1) * Math.cos(((lat1 + lat2) / 2) * DEGREE);
  const y = lat2 - lat1;
  return Math.sqrt(x * x + y * y) * METERS_PER_DEGREE;
}

/** Median of a list of numbers (the input is not changed); NaN for an empty list. */
export function median(values: ArrayLike<number>, n = values.length): number {
  if (n === 0) return Number.NaN;
  if (n <= FEW) return medianOfFew(values, n);
  // A typed array sorts numerically without a comparator call per comparison (a session's fixes are many).
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = values[i]!;
  sorted.sort();
  return middle(sorted, n);
}

/** Up to this many values (a parking spot's 15 fixes, asked for every few readings) take medianOfFew. */
const FEW = 16;
const few = new Float64Array(FEW);

/**
 * The median of a short list, sorted by insertion into a buffer kept for it: a typed array's sort of 15
 * values costs five times as much (its set-up, and an allocation per call). Falls back to that sort for NaN,
 * which it places last and insertion would not.
 */
function medianOfFew(values: ArrayLike<number>, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return middle(Float64Array.from({ length: n }, (_, k) => values[k]!).sort(), n);
    let j = i;
    for (; j > 0 && few[j - 1]! > v; j--) few[j] = few[j - 1]!;
    few[j] = v;
  }
  return middle(few, n);
}

function middle(sorted: Float64Array, n: number): number {
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
