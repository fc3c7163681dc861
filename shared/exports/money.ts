// Minor units (what sessions store) to decimal amounts (what the formats want), by ISO 4217 exponent.

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
