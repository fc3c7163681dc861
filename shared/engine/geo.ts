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
  if (many.length < n) many = new Float64Array(Math.max(n, 2 * many.length));
  const copy = many;
  let nan = false;
  for (let i = 0; i < n; i++) {
    copy[i] = values[i]!;
    if (Number.isNaN(copy[i]!)) nan = true;
  }
  // A typed array's sort places NaN last, which selection does not.
  if (nan) return middle(copy.slice(0, n).sort(), n);
  // A session's fixes are hundreds: selecting the middle is linear, sorting them all took four times as long.
  const mid = n >> 1;
  const upper = select(copy, n, mid);
  if (n % 2 === 1) return upper;
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < mid; i++) if (copy[i]! > lower) lower = copy[i]!;
  return (lower + upper) / 2;
}

/** Up to this many values (a parking spot's 15 fixes, asked for every few readings) take medianOfFew. */
const FEW = 16;
const few = new Float64Array(FEW);

/**
 * Room for a longer list's copy (a session's fixes), kept and grown as needed: a typed array allocated per
 * call (two per session) cost more than the selection in it, its memory lying outside V8's heap.
 */
let many = new Float64Array(256);

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

/**
 * The k-th smallest of a[0, n) (no NaN), by quickselect (Hoare's partition around the middle value): a is
 * reordered so that a[0, k) hold values at most it.
 */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const swap = a[i]!;
        a[i] = a[j]!;
        a[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}
