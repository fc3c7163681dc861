// Money and energy arithmetic for public charging, in integers only: amounts in the currency's minor
// units (cents), energy in whole Wh, tax rates in millionths. Rounding is half-up on minor units (the
// rule shared/money.ts writes down for a public charger's price).

import { divideHalfUp } from '../money.js';

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

export interface Tariff {
  /** Minor units per kWh. */
  pricePerKwh: number;
  /** Minor units per session, charged only when energy was delivered. */
  startFee: number;
}

/** round_half_up(energy_kWh × price_per_kwh) in minor units, computed as Wh × price / 1000. */
export function energyCost(energyWh: number, pricePerKwh: number): number {
  assertAmount('energyWh', energyWh);
  assertAmount('pricePerKwh', pricePerKwh);
  const product = energyWh * pricePerKwh;
  if (!Number.isSafeInteger(product)) throw new RangeError('energy × price exceeds the safe integer range');
  return divideHalfUp(product, 1000);
}

/** What the session costs before the cap: start fee + energy. */
export function uncappedCost(tariff: Tariff, energyWh: number): number {
  assertAmount('startFee', tariff.startFee);
  return tariff.startFee + energyCost(energyWh, tariff.pricePerKwh);
}

/**
 * cost = start_fee + round_half_up(energy_kWh × price_per_kwh), capped at the authorized hold: the
 * driver never pays more than was held, and the session is stopped when the cap is reached.
 */
export function sessionCost(tariff: Tariff, energyWh: number, amountAuthorized: number): number {
  assertAmount('amountAuthorized', amountAuthorized);
  return Math.min(uncappedCost(tariff, energyWh), amountAuthorized);
}

/**
 * The tax portion of a tax-inclusive amount: gross − round_half_up(gross / (1 + rate)). Prices are
 * tax-inclusive (what the driver sees is what the driver pays), so tax is carved out, never added.
 */
export function taxPortion(grossAmount: number, taxRate: number): number {
  assertAmount('grossAmount', grossAmount);
  const rate = taxRateMillionths(taxRate);
  const net = divideHalfUp(grossAmount * TAX_RATE_SCALE, TAX_RATE_SCALE + rate);
  return grossAmount - net;
}

/** Whole Wh as Plugchoice's decimal kWh string with three decimals: 12345 → "12.345". */
export function formatEnergyKwh(energyWh: number): string {
  assertAmount('energyWh', energyWh);
  return `${Math.floor(energyWh / 1000)}.${String(energyWh % 1000).padStart(3, '0')}`;
}
