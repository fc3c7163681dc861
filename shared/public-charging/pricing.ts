// A public charger's price is a tariff, priced by the one pricing function (shared/tariffs/pricing.ts):
// the driver's running estimate, the hold check, the final charge and the measured session's `cost` all
// come from `priceCharging`, rounded once per session, half-even, to the currency's minor unit. Pure.
//
// - A charger that names a tariff (`tariffId`) prices with the version current when the session started,
//   kept on the session (the driver pays what was shown), in the charge point's time zone.
// - A charger registered with the older `pricing` (tax-inclusive minor units and a tax rate) prices with
//   that pricing written as a tariff (`pricingTariff`): ENERGY per kWh and a FLAT start fee, excluding
//   VAT to six decimals, with the rate as VAT. It has no tariff id.
// - What the driver pays is `total + tax` (OCPI prices exclude VAT; a card is charged with it), capped at
//   the hold.

import { currencyExponent, roundHalfEven } from '../money.js';
import type { ChargeSessionRecord, SessionCost } from '../sessions/model.js';
import type { PriceComponent, PriceComponentType, TariffDefinition } from '../tariffs/model.js';
import { type CurveInterval, priceSession } from '../tariffs/pricing.js';
import type { ChargerPricing } from './schemas.js';

/** The tariff a charger prices with: a stored tariff's version, or (id and version null) its `pricing`. */
export interface ChargerTariff extends TariffDefinition {
  id: string | null;
  version: number | null;
}

/** Energy samples are kept one per this long (the latest in each): a day of charging is 96 of them. */
export const METER_SAMPLE_BUCKET_MS = 15 * 60_000;

/** A timed register reading, whole Wh, kept to shape the session's energy curve. */
export interface EnergySample {
  at: string;
  wh: number;
}

/**
 * Keeps at most one sample per bucket, the latest (then the highest register): a join, so events folded
 * in any order, any number of times, keep the same samples. Ordered by time.
 */
export function keepEnergySample(samples: readonly EnergySample[], sample: EnergySample): EnergySample[] {
  const bucket = (s: EnergySample) => Math.floor(Date.parse(s.at) / METER_SAMPLE_BUCKET_MS);
  const b = bucket(sample);
  const same = samples.find((s) => bucket(s) === b);
  if (same && (same.at > sample.at || (same.at === sample.at && same.wh >= sample.wh))) return [...samples];
  return [...samples.filter((s) => s !== same), sample].sort((x, y) =>
    x.at < y.at ? -1 : x.at > y.at ? 1 : 0,
  );
}

const SIX_DECIMALS = 6;

/** A charger's tax-inclusive `pricing` as the tariff it stands for (prices excluding VAT, OCPI's way). */
export function pricingTariff(pricing: ChargerPricing): ChargerTariff {
  const exponent = currencyExponent(pricing.currency) ?? 2;
  const net = (minor: number) =>
    Number((minor / 10 ** exponent / (1 + pricing.taxRate)).toFixed(SIX_DECIMALS));
  const vat = Number((pricing.taxRate * 100).toFixed(4));
  const priceComponents: PriceComponent[] = [{ type: 'ENERGY', price: net(pricing.pricePerKwh), vat }];
  if (pricing.startFee > 0) priceComponents.push({ type: 'FLAT', price: net(pricing.startFee), vat });
  return { id: null, version: null, currency: pricing.currency, elements: [{ priceComponents }] };
}

/**
 * The driver-facing summary of a tariff in the older `pricing` shape (tax-inclusive minor units): the
 * first ENERGY and FLAT components listed, with VAT, rounded half-even. A tariff with time bands or
 * dynamic prices has more than one price: its `tariff` is the full statement, this is its headline.
 */
export function pricingSummary(tariff: TariffDefinition): ChargerPricing {
  const exponent = currencyExponent(tariff.currency) ?? 2;
  const first = (type: PriceComponentType) =>
    tariff.elements.flatMap((e) => e.priceComponents).find((c) => c.type === type);
  const gross = (c: PriceComponent | undefined) =>
    c ? roundHalfEven(c.price * (1 + (c.vat ?? 0) / 100) * 10 ** exponent) : 0;
  const energy = first('ENERGY');
  return {
    currency: tariff.currency,
    pricePerKwh: gross(energy),
    startFee: gross(first('FLAT')),
    taxRate: Number(((energy?.vat ?? first('FLAT')?.vat ?? 0) / 100).toFixed(SIX_DECIMALS)),
  };
}

/** What pricing needs of a public session: its tariff, zone, start, energy and meter samples. */
export interface ChargingFacts {
  pricing: ChargerPricing;
  /** Absent on sessions started before chargers named tariffs: their `pricing` is their tariff. */
  tariff?: ChargerTariff | null;
  timeZone?: string | null;
  chargingStartedAt: string | null;
  energyWh: number | null;
  meter: {
    registerMinWh: number | null;
    registerBeginWh: number | null;
    samples?: readonly EnergySample[];
  };
}

export function tariffOf(facts: Pick<ChargingFacts, 'pricing' | 'tariff'>): ChargerTariff {
  return facts.tariff ?? pricingTariff(facts.pricing);
}

/**
 * The energy curve from the charging start to `until`: register steps between the kept samples, scaled
 * to the session's energy (the registers' own total); evenly spread when no timed step shows energy.
 * Time after the last sample carries no energy (plugged in, not charging).
 */
export function chargingCurve(facts: ChargingFacts, start: number, end: number): CurveInterval[] {
  const energyKwh = (facts.energyWh ?? 0) / 1000;
  const begin = facts.meter.registerBeginWh ?? facts.meter.registerMinWh;
  const out: CurveInterval[] = [];
  let prev = { t: start, wh: begin };
  for (const s of facts.meter.samples ?? []) {
    const t = Date.parse(s.at);
    if (t <= prev.t || t > end) continue;
    out.push({ from: prev.t, to: t, energyKwh: prev.wh === null ? 0 : Math.max(0, s.wh - prev.wh) / 1000 });
    prev = { t, wh: s.wh };
  }
  const total = out.reduce((a, i) => a + i.energyKwh, 0);
  if (!(total > 0)) return end > start ? [{ from: start, to: end, energyKwh }] : [];
  return out.map((i) => ({ ...i, energyKwh: (i.energyKwh * energyKwh) / total }));
}

/**
 * How far the session is priced: to its end once the charger ended it, else to its latest energy
 * reading (the running estimate), else to its start.
 */
export function pricedUntil(facts: ChargingFacts & { completedAt: string | null }): string | null {
  const samples = facts.meter.samples ?? [];
  return facts.completedAt ?? samples[samples.length - 1]?.at ?? facts.chargingStartedAt;
}

export interface ChargingPrice {
  cost: SessionCost;
  /** What the driver owes before the hold caps it: total + tax, minor units. */
  gross: number;
}

/** The session priced from its charging start to `until`; null before any energy was reported. */
export function priceCharging(facts: ChargingFacts, until: string | null): ChargingPrice | null {
  if (facts.energyWh === null || facts.chargingStartedAt === null || until === null) return null;
  const tariff = tariffOf(facts);
  const start = Date.parse(facts.chargingStartedAt);
  const end = Math.max(start, Date.parse(until));
  const priced = priceSession(
    tariff,
    { start, end, curve: chargingCurve(facts, start, end) },
    facts.timeZone ?? 'UTC',
  );
  // A charge with energy but no measurable span (one sample) still owes its energy and start fee.
  const cost =
    end > start
      ? priced
      : priceSession(
          tariff,
          {
            start,
            end: start + 1,
            curve: [{ from: start, to: start + 1, energyKwh: facts.energyWh / 1000 }],
          },
          facts.timeZone ?? 'UTC',
        );
  return {
    cost: { ...cost, tariffId: tariff.id, tariffVersion: tariff.version },
    gross: cost.total + cost.tax,
  };
}

/** The running or final amount the driver is charged: the price with VAT, capped at the hold. */
export function chargedAmount(
  facts: ChargingFacts & { amountAuthorized: number },
  until: string | null,
): number | null {
  const price = priceCharging(facts, until);
  return price === null ? null : Math.min(price.gross, facts.amountAuthorized);
}

/**
 * The VAT inside a captured amount. When the capture is the price, the priced VAT. Otherwise (a capped or
 * mismatched capture), with one VAT rate in the tariff, the amount less the amount without it, half-even;
 * with several, the priced VAT in proportion to what was captured of the price.
 */
export function capturedTax(facts: ChargingFacts, until: string | null, amountCaptured: number): number {
  const price = priceCharging(facts, until);
  if (price === null || price.gross === 0) return 0;
  if (amountCaptured === price.gross) return price.cost.tax;
  const rates = new Set(tariffOf(facts).elements.flatMap((e) => e.priceComponents.map((c) => c.vat ?? 0)));
  const [rate] = rates;
  if (rates.size === 1 && rate !== undefined) {
    return amountCaptured - roundHalfEven(amountCaptured / (1 + rate / 100));
  }
  return Math.min(amountCaptured, roundHalfEven((price.cost.tax * amountCaptured) / price.gross));
}

/** The session's `cost` as its measured charge session carries it. */
export function measuredCost(
  facts: ChargingFacts,
  until: string | null,
): Pick<ChargeSessionRecord, 'cost'>['cost'] {
  return priceCharging(facts, until)?.cost ?? null;
}
