// Prices one charge session under one tariff: pure, deterministic, no clock. The rules, in order:
//
// 1. The session is cut into segments wherever anything that decides a price may change: the energy
//    curve's own intervals, every local HH:MM a restriction names and local midnight (walked minute by
//    minute in the entity's zone, so DST nights and midnight are right by construction), the zone's
//    offset changes, dynamic price boundaries, and the instants the session's energy crosses a
//    minKwh/maxKwh threshold. Nothing that matters changes inside a segment.
// 2. Each segment is priced per dimension, OCPI-style: ENERGY for its kWh, TIME (per hour) while energy
//    flows, PARKING_TIME (per hour) while plugged in without energy. For each dimension the first element
//    whose restrictions all hold (evaluated at the segment's middle) and which has a component of that
//    type prices it. Where a dynamic series covers the moment, its price is the ENERGY price (with the
//    VAT of the ENERGY component that would otherwise apply).
// 3. FLAT is charged once, by the first element with a FLAT component whose restrictions hold at the start.
// 4. stepSize rounds the session's total of that dimension up to whole steps (the step of the component
//    pricing its last row; the extra is billed on that row), as OCPI's step_size does.
// 5. Money: exact amounts are summed and the session total is rounded ONCE, half-even, to the currency's
//    minor unit; the rows get whole minor units apportioned to add up to it (shared/money.ts). VAT is
//    rounded the same way, on top: `total` excludes VAT, `tax` is the VAT on it.

import { allocateMinor, currencyExponent, roundHalfEven } from '../money.js';
import { type LocalMoment, localMoment, offsetChanges } from './local-time.js';
import {
  DAYS_OF_WEEK,
  minutesOfDay,
  type PriceComponent,
  type PriceComponentType,
  type PricePoint,
  type TariffDefinition,
  type TariffRestrictions,
  UNITS,
} from './model.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY_MINUTES = 24 * 60;

/** Energy delivered in [from, to), epoch ms; a zero-energy interval is plugged-in time without charging. */
export interface CurveInterval {
  from: number;
  to: number;
  energyKwh: number;
}

export interface SessionUsage {
  start: number;
  end: number;
  /** Need not cover the session: uncovered time counts as plugged in without energy. */
  curve: readonly CurveInterval[];
}

export interface CostLine {
  from: string;
  to: string;
  type: PriceComponentType;
  /** kWh, hours, or 1 session; rounded to 6 decimals for reading (amounts use the exact quantity). */
  quantity: number;
  unit: 'kWh' | 'h' | 'session';
  /** The unit price applied, major units excluding VAT (a rate, not an amount). */
  price: number;
  /** Minor units, excluding VAT. */
  amount: number;
}

export interface PricedCost {
  currency: string;
  /** Minor units excluding VAT: the sum of the breakdown's amounts. */
  total: number;
  /** Minor units: the VAT on `total`. */
  tax: number;
  breakdown: CostLine[];
}

interface Row {
  from: number;
  to: number;
  type: PriceComponentType;
  quantity: number;
  price: number;
  vat: number;
  stepSize: number | undefined;
}

interface Context {
  local: LocalMoment;
  kwhSoFar: number;
  powerKw: number;
}

function holds(r: TariffRestrictions | undefined, c: Context): boolean {
  if (!r) return true;
  if (r.startTime !== undefined || r.endTime !== undefined) {
    const s = r.startTime !== undefined ? (minutesOfDay(r.startTime) ?? 0) : 0;
    const e = r.endTime !== undefined ? (minutesOfDay(r.endTime) ?? DAY_MINUTES) : DAY_MINUTES;
    const m = c.local.minuteOfDay;
    const inside = s < e ? m >= s && m < e : s > e ? m >= s || m < e : true;
    if (!inside) return false;
  }
  if (r.startDate !== undefined && c.local.date < r.startDate) return false;
  if (r.endDate !== undefined && c.local.date >= r.endDate) return false;
  if (r.daysOfWeek !== undefined && !r.daysOfWeek.includes(DAYS_OF_WEEK[c.local.dayOfWeek]!)) return false;
  if (r.minKwh !== undefined && c.kwhSoFar < r.minKwh) return false;
  if (r.maxKwh !== undefined && c.kwhSoFar >= r.maxKwh) return false;
  if (r.minPowerKw !== undefined && c.powerKw < r.minPowerKw) return false;
  if (r.maxPowerKw !== undefined && c.powerKw >= r.maxPowerKw) return false;
  return true;
}

function componentFor(
  tariff: TariffDefinition,
  type: PriceComponentType,
  c: Context,
): PriceComponent | undefined {
  for (const element of tariff.elements) {
    const component = element.priceComponents.find((p) => p.type === type);
    if (component && holds(element.restrictions, c)) return component;
  }
  return undefined;
}

/** The curve clipped to the session, ordered, with gaps filled by zero-energy intervals. */
function normalizeCurve(usage: SessionUsage): CurveInterval[] {
  const sorted = usage.curve
    .filter((i) => i.to > i.from && i.to > usage.start && i.from < usage.end)
    .slice()
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const out: CurveInterval[] = [];
  let cursor = usage.start;
  for (const i of sorted) {
    const from = Math.max(i.from, cursor);
    const to = Math.min(i.to, usage.end);
    if (to <= from) continue;
    if (from > cursor) out.push({ from: cursor, to: from, energyKwh: 0 });
    const share = (to - from) / (i.to - i.from);
    out.push({ from, to, energyKwh: Math.max(0, i.energyKwh) * share });
    cursor = to;
  }
  if (cursor < usage.end) out.push({ from: cursor, to: usage.end, energyKwh: 0 });
  return out;
}

/** The zone's offset at t, given the changes over the session (ordered). */
function offsetAt(changes: readonly { at: number; offset: number }[], t: number): number {
  let offset = changes[0]!.offset;
  for (const c of changes) {
    if (c.at <= t) offset = c.offset;
    else break;
  }
  return offset;
}

function cutPoints(
  tariff: TariffDefinition,
  usage: SessionUsage,
  curve: readonly CurveInterval[],
  changes: readonly { at: number; offset: number }[],
  prices: readonly PricePoint[],
): number[] {
  const cuts = new Set<number>([usage.start, usage.end]);
  const inside = (t: number) => t > usage.start && t < usage.end;
  for (const i of curve) cuts.add(i.from);
  for (const c of changes) if (inside(c.at)) cuts.add(c.at);
  for (const p of prices) {
    if (inside(p.start)) cuts.add(p.start);
    if (inside(p.end)) cuts.add(p.end);
  }

  const boundaries = new Set<number>([0]);
  const thresholds: number[] = [];
  for (const { restrictions: r } of tariff.elements) {
    if (r?.startTime !== undefined) boundaries.add(minutesOfDay(r.startTime) ?? 0);
    if (r?.endTime !== undefined) boundaries.add(minutesOfDay(r.endTime) ?? 0);
    if (r?.minKwh !== undefined) thresholds.push(r.minKwh);
    if (r?.maxKwh !== undefined) thresholds.push(r.maxKwh);
  }
  let k = 0;
  for (let t = Math.floor(usage.start / MINUTE) * MINUTE + MINUTE; t < usage.end; t += MINUTE) {
    while (k + 1 < changes.length && changes[k + 1]!.at <= t) k++;
    const local = (((t / MINUTE + changes[k]!.offset) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
    if (boundaries.has(local)) cuts.add(t);
  }

  if (thresholds.length > 0) {
    let sofar = 0;
    for (const i of curve) {
      for (const threshold of thresholds) {
        if (i.energyKwh > 0 && sofar < threshold && threshold < sofar + i.energyKwh) {
          const at = Math.round(i.from + ((threshold - sofar) / i.energyKwh) * (i.to - i.from));
          if (at > i.from && at < i.to) cuts.add(at);
        }
      }
      sofar += i.energyKwh;
    }
  }
  return [...cuts].sort((a, b) => a - b);
}

export function priceSession(
  tariff: TariffDefinition,
  usage: SessionUsage,
  timeZone: string,
  prices: readonly PricePoint[] = [],
): PricedCost {
  const exponent = currencyExponent(tariff.currency);
  if (exponent === null) throw new RangeError(`currency ${tariff.currency} has no minor unit`);
  if (!(usage.end > usage.start)) return { currency: tariff.currency, total: 0, tax: 0, breakdown: [] };

  const curve = normalizeCurve(usage);
  const changes = offsetChanges(timeZone, usage.start, usage.end);
  const cuts = cutPoints(tariff, usage, curve, changes, prices);
  const rows: Row[] = [];
  const lastOfType = new Map<PriceComponentType, Row>();
  const add = (row: Row) => {
    const last = lastOfType.get(row.type);
    if (last && last.to === row.from && last.price === row.price && last.vat === row.vat) {
      last.to = row.to;
      last.quantity += row.quantity;
      last.stepSize = row.stepSize;
      return;
    }
    rows.push(row);
    lastOfType.set(row.type, row);
  };

  let ci = 0;
  let sofar = 0;
  for (let s = 0; s + 1 < cuts.length; s++) {
    const from = cuts[s]!;
    const to = cuts[s + 1]!;
    while (curve[ci]!.to <= from) ci++;
    const interval = curve[ci]!;
    const energy = (interval.energyKwh * (to - from)) / (interval.to - interval.from);
    const mid = from + (to - from) / 2;
    const charging = interval.energyKwh > 0;
    const context: Context = {
      local: localMoment(mid, offsetAt(changes, mid)),
      kwhSoFar: sofar + energy / 2,
      powerKw: interval.energyKwh / ((interval.to - interval.from) / HOUR),
    };
    sofar += energy;
    const hours = (to - from) / HOUR;

    if (energy > 0) {
      const component = componentFor(tariff, 'ENERGY', context);
      const dynamic = prices.find((p) => p.start <= mid && mid < p.end);
      const price = dynamic?.price ?? component?.price;
      if (price !== undefined) {
        add({
          from,
          to,
          type: 'ENERGY',
          quantity: energy,
          price,
          vat: component?.vat ?? 0,
          stepSize: component?.stepSize,
        });
      }
    }
    const timeType: PriceComponentType = charging ? 'TIME' : 'PARKING_TIME';
    const time = componentFor(tariff, timeType, context);
    if (time) {
      add({
        from,
        to,
        type: timeType,
        quantity: hours,
        price: time.price,
        vat: time.vat ?? 0,
        stepSize: time.stepSize,
      });
    }
  }

  for (const [type, last] of lastOfType) {
    if (!last.stepSize) continue;
    const step = type === 'ENERGY' ? last.stepSize / 1000 : last.stepSize / 3600;
    const total = rows.filter((r) => r.type === type).reduce((a, r) => a + r.quantity, 0);
    const billed = Math.ceil(Number((total / step).toFixed(9))) * step;
    last.quantity += Math.max(0, billed - total);
  }

  const firstCharging = curve.find((i) => i.energyKwh > 0);
  const flat = componentFor(tariff, 'FLAT', {
    local: localMoment(usage.start, changes[0]!.offset),
    kwhSoFar: 0,
    powerKw: firstCharging ? firstCharging.energyKwh / ((firstCharging.to - firstCharging.from) / HOUR) : 0,
  });
  if (flat) {
    rows.unshift({
      from: usage.start,
      to: usage.end,
      type: 'FLAT',
      quantity: 1,
      price: flat.price,
      vat: flat.vat ?? 0,
      stepSize: undefined,
    });
  }

  const scale = 10 ** exponent;
  const exact = rows.map((r) => r.quantity * r.price * scale);
  const total = roundHalfEven(exact.reduce((a, b) => a + b, 0));
  const amounts = allocateMinor(total, exact);
  const tax = roundHalfEven(exact.reduce((a, x, i) => a + (x * rows[i]!.vat) / 100, 0));
  return {
    currency: tariff.currency,
    total,
    tax,
    breakdown: rows.map((r, i) => ({
      from: new Date(r.from).toISOString(),
      to: new Date(r.to).toISOString(),
      type: r.type,
      quantity: Number(r.quantity.toFixed(6)),
      unit: UNITS[r.type],
      price: r.price,
      amount: amounts[i]!,
    })),
  };
}
