// Public charging's integer units: energy in whole Wh (Plugchoice's kWh string) and tax rates in
// millionths. What a session costs is priced as a tariff by ./pricing.ts, in shared/money.ts's one model.

/** Tax rates are held as integer millionths, so 8.875 % (0.08875) is exact and tax is exact. */
export const TAX_RATE_SCALE = 1_000_000;

function assertAmount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, not ${value}`);
  }
}

/** A tax rate within 0–1 with at most six decimals (so it is exact in millionths). */
export function isValidTaxRate(taxRate: number): boolean {
  return (
    taxRate >= 0 &&
    taxRate <= 1 &&
    Math.abs(Math.round(taxRate * TAX_RATE_SCALE) - taxRate * TAX_RATE_SCALE) <= 1e-6
  );
}

/** A tax rate (0–1) as integer millionths; throws when it has more than six decimals. */
export function taxRateMillionths(taxRate: number): number {
  if (!isValidTaxRate(taxRate)) {
    throw new RangeError(`tax rate must be within 0–1 with at most six decimals, not ${taxRate}`);
  }
  return Math.round(taxRate * TAX_RATE_SCALE);
}

/** Whole Wh as Plugchoice's decimal kWh string with three decimals: 12345 → "12.345". */
export function formatEnergyKwh(energyWh: number): string {
  assertAmount('energyWh', energyWh);
  return `${Math.floor(energyWh / 1000)}.${String(energyWh % 1000).padStart(3, '0')}`;
}
