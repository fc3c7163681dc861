// Numbers as the API stores them. DynamoDB's number type has a range (magnitudes from 1e-130 to below
// 1e126, 38 significant digits), and a value outside it is a write that fails as a server error. Every
// float that reaches storage is therefore rounded to a precision its domain gives it, which also keeps
// noise like 4e-151 out of responses.

/** `value` rounded to `places` decimals (half away from zero); -0 becomes 0. */
export function roundTo(value: number, places: number): number {
  const factor = 10 ** places;
  const rounded = Math.sign(value) * (Math.round(Math.abs(value) * factor) / factor);
  return rounded === 0 ? 0 : rounded;
}

/** Degrees of latitude/longitude: 7 decimals is about 1 cm, finer than any positioning the API sees. */
export const COORDINATE_DECIMALS = 7;

/** Quantities in the API's units (kWh, kW, km, %, s): a millionth is below any meter's resolution. */
export const QUANTITY_DECIMALS = 6;
