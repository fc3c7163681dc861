// The one money model: every amount we store or return is an integer in the currency's minor unit (ISO
// 4217 exponent: cents for EUR, yen for JPY, fils for KWD). This module holds the exponents, the rounding
// rule and the conversions; tariffs, public charging and the exports all use it.
//
// The rounding rule, written down once: a session is priced by a tariff (shared/tariffs/pricing.ts; a
// public charger's price is a tariff too, shared/public-charging/pricing.ts) and rounded ONCE per session,
// half-even, to the minor unit; its breakdown rows are apportioned so they add up to that total exactly
// (allocateMinor), and its VAT is rounded the same way.

/**
 * ISO 4217 currencies whose minor unit is not 2 (ISO 4217 list one). Every other active three-letter code
 * has exponent 2. Codes with no minor unit at all (precious metals, SDR, test codes) have none, so amounts
 * in them cannot be converted and are left out rather than guessed.
 */
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number | null>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
  XAG: null,
  XAU: null,
  XBA: null,
  XBB: null,
  XBC: null,
  XBD: null,
  XDR: null,
  XPD: null,
  XPT: null,
  XSU: null,
  XTS: null,
  XUA: null,
  XXX: null,
};

const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Active ISO 4217 codes as the runtime's ICU knows them (Node ships the full list). */
const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** An active ISO 4217 code with a minor unit, i.e. one we can hold amounts in. */
export function isKnownCurrency(code: string): boolean {
  return ISO_CURRENCIES.has(code) && currencyExponent(code) !== null;
}

/** The exponent of a currency, or null when it has none or the code is not an ISO 4217 shape. */
export function currencyExponent(
  currency: string,
  overrides: Readonly<Record<string, number>> = {},
): number | null {
  const code = currency.toUpperCase();
  const override = overrides[code];
  if (override !== undefined) return override;
  if (!CURRENCY_CODE.test(code)) return null;
  const exception = EXPONENT_EXCEPTIONS[code];
  return exception === undefined ? 2 : exception;
}

const FRACTIONAL_MINOR_PLACES = 4;

/**
 * `1234` minor units of USD is `12.34`. Rounded to four places beyond the exponent: enough for fractional
 * unit prices (34.5 cents per kWh is 0.345), while binary fractions (0.1 + 0.2) never leak out.
 */
export function minorToDecimal(amountMinor: number, exponent: number): number {
  return Number((amountMinor / 10 ** exponent).toFixed(exponent + FRACTIONAL_MINOR_PLACES));
}

/** Converts when both the amount and the currency's exponent are known; null otherwise. */
export function decimalAmount(
  amountMinor: number | null,
  currency: string | null,
  overrides?: Readonly<Record<string, number>>,
): number | null {
  if (amountMinor === null || currency === null) return null;
  const exponent = currencyExponent(currency, overrides);
  return exponent === null ? null : minorToDecimal(amountMinor, exponent);
}

/**
 * Binary floating point noise is cut at this many decimals of a minor unit before rounding, so
 * 0.1 × 3 (0.30000000000000004) rounds as the 0.3 it means. Prices carry at most 6 decimals.
 */
const NOISE_DECIMALS = 6;

/** A fractional number of minor units rounded half-even (banker's rounding) to a whole one. */
export function roundHalfEven(minor: number): number {
  const clean = Number(minor.toFixed(NOISE_DECIMALS));
  const floor = Math.floor(clean);
  const diff = clean - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Splits `total` whole minor units over parts in proportion to their exact (fractional) amounts: each
 * part gets its floor, and the units left over go to the largest fractional remainders (earlier part on
 * a tie). The parts sum to `total` exactly and each is within one unit of its exact amount whenever
 * `total` is the rounded sum of the exact amounts.
 */
export function allocateMinor(total: number, exact: readonly number[]): number[] {
  const clean = exact.map((x) => Number(x.toFixed(NOISE_DECIMALS)));
  const parts = clean.map((x) => Math.floor(x));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = clean
    .map((x, i) => ({ i, rest: x - Math.floor(x) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; left > 0 && parts.length > 0; k = (k + 1) % parts.length, left--) {
    parts[order[k]!.i]! += 1;
  }
  for (let k = parts.length - 1; left < 0 && k >= 0; k--) {
    const i = order[k]!.i;
    if (parts[i]! > 0) {
      parts[i]! -= 1;
      left++;
    }
  }
  return parts;
}
