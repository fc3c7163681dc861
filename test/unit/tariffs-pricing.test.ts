// Pricing a session under a tariff: hand-computed examples (each figure worked out in the comment) and
// the properties every price must have. Fixed calendar dates are the point here (a DST night, a winter
// evening); pricing is pure and no "now" or retention touches it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateMinor, roundHalfEven } from '../../shared/money.js';
import type { PricePoint, TariffDefinition, TariffElement } from '../../shared/tariffs/model.js';
import { type CurveInterval, priceSession, type SessionUsage } from '../../shared/tariffs/pricing.js';

const AMS = 'Europe/Amsterdam';
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string) => Date.parse(iso);
const eur = (...elements: TariffElement[]): TariffDefinition => ({ currency: 'EUR', elements });
/** Equal energy per hour over [from, to). */
const hourly = (from: number, to: number, kwhPerHour: number): CurveInterval[] => {
  const out: CurveInterval[] = [];
  for (let t = from; t < to; t += HOUR)
    out.push({ from: t, to: Math.min(t + HOUR, to), energyKwh: kwhPerHour });
  return out;
};
const session = (start: number, end: number, curve: CurveInterval[]): SessionUsage => ({ start, end, curve });

describe('money rounding', () => {
  it('rounds half to even once, and apportions whole units that add up', () => {
    expect([
      roundHalfEven(12.5),
      roundHalfEven(13.5),
      roundHalfEven(12.500002),
      roundHalfEven(0.1 * 3),
    ]).toEqual([12, 14, 13, 0]);
    expect(allocateMinor(10, [3.4, 3.3, 3.3])).toEqual([4, 3, 3]);
    expect(allocateMinor(0, [0.4, 0.4])).toEqual([0, 0]);
  });
});

describe('priceSession: hand-computed', () => {
  it('splits a charge at a time-of-use boundary by its own curve, not evenly', () => {
    // Winter (UTC+1). Off-peak 23:00–07:00 local at 0.20, else 0.30; VAT 21 %.
    const tariff = eur(
      {
        priceComponents: [{ type: 'ENERGY', price: 0.2, vat: 21 }],
        restrictions: { startTime: '23:00', endTime: '07:00' },
      },
      { priceComponents: [{ type: 'ENERGY', price: 0.3, vat: 21 }] },
    );
    // 06:00–06:30 local: 3 kWh; 06:30–07:30 local: 10 kWh, half before 07:00.
    const cost = priceSession(
      tariff,
      session(at('2026-01-15T05:00:00Z'), at('2026-01-15T06:30:00Z'), [
        { from: at('2026-01-15T05:00:00Z'), to: at('2026-01-15T05:30:00Z'), energyKwh: 3 },
        { from: at('2026-01-15T05:30:00Z'), to: at('2026-01-15T06:30:00Z'), energyKwh: 10 },
      ]),
      AMS,
    );
    // 8 kWh × 0.20 = 1.60; 5 kWh × 0.30 = 1.50; total 3.10; VAT 0.651 → 0.65.
    expect(cost.total).toBe(310);
    expect(cost.tax).toBe(65);
    expect(cost.breakdown).toEqual([
      {
        from: '2026-01-15T05:00:00.000Z',
        to: '2026-01-15T06:00:00.000Z',
        type: 'ENERGY',
        quantity: 8,
        unit: 'kWh',
        price: 0.2,
        amount: 160,
      },
      {
        from: '2026-01-15T06:00:00.000Z',
        to: '2026-01-15T06:30:00.000Z',
        type: 'ENERGY',
        quantity: 5,
        unit: 'kWh',
        price: 0.3,
        amount: 150,
      },
    ]);
  });

  it('applies a band that crosses midnight on both sides of it', () => {
    const tariff = eur(
      {
        priceComponents: [{ type: 'ENERGY', price: 0.1 }],
        restrictions: { startTime: '22:00', endTime: '06:00' },
      },
      { priceComponents: [{ type: 'ENERGY', price: 0.25 }] },
    );
    // 21:00–01:00 local, 5 kWh an hour: 5 × 0.25 + 15 × 0.10 = 1.25 + 1.50.
    const cost = priceSession(
      tariff,
      session(
        at('2026-01-15T20:00:00Z'),
        at('2026-01-16T00:00:00Z'),
        hourly(at('2026-01-15T20:00:00Z'), at('2026-01-16T00:00:00Z'), 5),
      ),
      AMS,
    );
    expect(cost.total).toBe(275);
    expect(cost.breakdown.map((l) => [l.from, l.to, l.price, l.amount])).toEqual([
      ['2026-01-15T20:00:00.000Z', '2026-01-15T21:00:00.000Z', 0.25, 125],
      ['2026-01-15T21:00:00.000Z', '2026-01-16T00:00:00.000Z', 0.1, 150],
    ]);
  });

  it('prices the repeated hour the night clocks go back twice', () => {
    // 2026-10-25, Amsterdam: 03:00 CEST becomes 02:00 CET at 01:00 UTC, so 02:00–03:00 local happens twice.
    const tariff = eur(
      {
        priceComponents: [{ type: 'ENERGY', price: 0.05 }],
        restrictions: { startTime: '02:00', endTime: '03:00' },
      },
      { priceComponents: [{ type: 'ENERGY', price: 0.3 }] },
    );
    // 01:00 CEST → 03:00 CET is four real hours at 10 kWh: 2 at 0.30, 2 (both 02:00s) at 0.05.
    const cost = priceSession(
      tariff,
      session(
        at('2026-10-24T23:00:00Z'),
        at('2026-10-25T03:00:00Z'),
        hourly(at('2026-10-24T23:00:00Z'), at('2026-10-25T03:00:00Z'), 10),
      ),
      AMS,
    );
    expect(cost.total).toBe(700);
    expect(cost.breakdown.map((l) => [l.from, l.to, l.quantity, l.price])).toEqual([
      ['2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', 10, 0.3],
      ['2026-10-25T00:00:00.000Z', '2026-10-25T02:00:00.000Z', 20, 0.05],
      ['2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z', 10, 0.3],
    ]);
  });

  it('starts a band at the jump when the clocks go forward past its start time', () => {
    // 2026-03-29, Amsterdam: 02:00 CET becomes 03:00 CEST at 01:00 UTC; 02:30 never happens that night.
    const tariff = eur(
      {
        priceComponents: [{ type: 'ENERGY', price: 0.1 }],
        restrictions: { startTime: '02:30', endTime: '07:00' },
      },
      { priceComponents: [{ type: 'ENERGY', price: 0.3 }] },
    );
    // One curve interval over 00:00–03:00 UTC (01:00 CET – 05:00 CEST), 30 kWh: 10 at 0.30, 20 at 0.10.
    const cost = priceSession(
      tariff,
      session(at('2026-03-29T00:00:00Z'), at('2026-03-29T03:00:00Z'), [
        { from: at('2026-03-29T00:00:00Z'), to: at('2026-03-29T03:00:00Z'), energyKwh: 30 },
      ]),
      AMS,
    );
    expect(cost.total).toBe(500);
    expect(cost.breakdown.map((l) => l.to)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T03:00:00.000Z']);
  });

  it('takes the ENERGY price from a dynamic series where it covers the moment', () => {
    const tariff = eur({ priceComponents: [{ type: 'ENERGY', price: 0.25, vat: 21 }] });
    const d = (h: number) => at('2026-06-10T00:00:00Z') + h * HOUR;
    const prices: PricePoint[] = [
      { start: d(0), end: d(1), price: 0.1 },
      { start: d(1), end: d(2), price: 0.05 },
      { start: d(2), end: d(3), price: 0.2 },
    ];
    // 8 kWh an hour from 00:30 to 03:30: 4 × 0.10 + 8 × 0.05 + 8 × 0.20 + 4 × 0.25 (uncovered) = 3.40.
    const cost = priceSession(
      tariff,
      session(d(0.5), d(3.5), [{ from: d(0.5), to: d(3.5), energyKwh: 24 }]),
      'UTC',
      prices,
    );
    expect(cost.total).toBe(340);
    expect(cost.tax).toBe(71); // 0.714 → 0.71
    expect(cost.breakdown.map((l) => [l.quantity, l.price, l.amount])).toEqual([
      [4, 0.1, 40],
      [8, 0.05, 40],
      [8, 0.2, 160],
      [4, 0.25, 100],
    ]);
  });

  it('adds FLAT, TIME while charging, ENERGY and PARKING_TIME while idle', () => {
    const tariff = eur({
      priceComponents: [
        { type: 'FLAT', price: 1 },
        { type: 'TIME', price: 2 },
        { type: 'ENERGY', price: 0.3 },
        { type: 'PARKING_TIME', price: 1.2 },
      ],
    });
    const start = at('2026-05-04T08:00:00Z');
    // 1.5 h charging 15 kWh, then 0.5 h plugged in: 1.00 + 1.5 × 2.00 + 15 × 0.30 + 0.5 × 1.20 = 9.10.
    const cost = priceSession(
      tariff,
      session(start, start + 2 * HOUR, [{ from: start, to: start + 1.5 * HOUR, energyKwh: 15 }]),
      AMS,
    );
    expect(cost.total).toBe(910);
    expect(cost.breakdown.map((l) => [l.type, l.quantity, l.unit, l.amount])).toEqual([
      ['FLAT', 1, 'session', 100],
      ['ENERGY', 15, 'kWh', 450],
      ['TIME', 1.5, 'h', 300],
      ['PARKING_TIME', 0.5, 'h', 60],
    ]);
  });

  it('prices AC below maxPowerKw and DC above it differently', () => {
    const tariff = eur(
      { priceComponents: [{ type: 'ENERGY', price: 0.39 }], restrictions: { maxPowerKw: 22 } },
      { priceComponents: [{ type: 'ENERGY', price: 0.59 }] },
    );
    const start = at('2026-05-04T08:00:00Z');
    const ac = priceSession(
      tariff,
      session(start, start + HOUR, [{ from: start, to: start + HOUR, energyKwh: 11 }]),
      AMS,
    );
    const dc = priceSession(
      tariff,
      session(start, start + HOUR / 2, [{ from: start, to: start + HOUR / 2, energyKwh: 25 }]),
      AMS,
    );
    expect(ac.total).toBe(429); // 11 kWh at 11 kW × 0.39
    expect(dc.total).toBe(1475); // 25 kWh at 50 kW × 0.59
  });

  it('bills stepSize in whole steps, rounds half to even, and knows zero-decimal currencies', () => {
    const start = at('2026-05-04T08:00:00Z');
    const one = (kwh: number) =>
      session(start, start + HOUR, [{ from: start, to: start + HOUR, energyKwh: kwh }]);
    const stepped = eur({ priceComponents: [{ type: 'ENERGY', price: 0.3, stepSize: 1000 }] });
    expect(priceSession(stepped, one(10.2), AMS).total).toBe(330); // 11 whole kWh
    expect(
      priceSession(eur({ priceComponents: [{ type: 'ENERGY', price: 0.25 }] }), one(0.5), AMS).total,
    ).toBe(12); // 12.5
    expect(
      priceSession(eur({ priceComponents: [{ type: 'ENERGY', price: 0.35 }] }), one(0.5), AMS).total,
    ).toBe(18); // 17.5
    const yen: TariffDefinition = {
      currency: 'JPY',
      elements: [{ priceComponents: [{ type: 'ENERGY', price: 45 }] }],
    };
    expect(priceSession(yen, one(10), 'Asia/Tokyo').total).toBe(450);
  });

  it('charges nothing for a dimension no element prices', () => {
    const tariff = eur({
      priceComponents: [{ type: 'ENERGY', price: 0.3 }],
      restrictions: { daysOfWeek: ['SATURDAY'] },
    });
    const monday = at('2026-05-04T08:00:00Z');
    const cost = priceSession(
      tariff,
      session(monday, monday + HOUR, [{ from: monday, to: monday + HOUR, energyKwh: 5 }]),
      AMS,
    );
    expect(cost).toEqual({ currency: 'EUR', total: 0, tax: 0, breakdown: [] });
  });
});

// --- properties ---------------------------------------------------------------------------------------

const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const price = fc.integer({ min: 0, max: 100_000 }).map((n) => n / 10_000);

const elementArb = (
  types: readonly ('ENERGY' | 'TIME' | 'PARKING_TIME' | 'FLAT')[],
  withKwhAndSteps: boolean,
) =>
  fc.record(
    {
      priceComponents: fc.uniqueArray(
        fc.record(
          {
            type: fc.constantFrom(...types),
            price,
            vat: fc.constantFrom(0, 9, 21),
            ...(withKwhAndSteps ? { stepSize: fc.constantFrom(1, 100, 1000, 60) } : {}),
          },
          { requiredKeys: ['type', 'price'] },
        ),
        { minLength: 1, maxLength: 3, selector: (c) => c.type },
      ),
      restrictions: fc.record(
        {
          startTime: hhmm,
          endTime: hhmm,
          daysOfWeek: fc.uniqueArray(fc.constantFrom('MONDAY', 'SATURDAY', 'SUNDAY', 'WEDNESDAY' as const), {
            minLength: 1,
          }),
          maxPowerKw: fc.constantFrom(7, 22, 50),
          ...(withKwhAndSteps ? { minKwh: fc.constantFrom(0, 5, 10), maxKwh: fc.constantFrom(8, 20) } : {}),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['priceComponents'] },
  ) as fc.Arbitrary<TariffElement>;

const tariffArb = (
  types: readonly ('ENERGY' | 'TIME' | 'PARKING_TIME' | 'FLAT')[],
  withKwhAndSteps: boolean,
) =>
  fc
    .record({
      currency: fc.constantFrom('EUR', 'JPY', 'KWD'),
      elements: fc.array(elementArb(types, withKwhAndSteps), { minLength: 1, maxLength: 4 }),
    })
    .map((t) => t as TariffDefinition);

/** A session anywhere in 2026 (both DST changes of every zone above fall inside), 1–8 curve pieces. */
const usageArb = fc
  .tuple(
    fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 180 * 60 }), fc.integer({ min: 0, max: 30_000 })), {
      minLength: 1,
      maxLength: 8,
    }),
  )
  .map(([start, pieces]): SessionUsage => {
    const curve: CurveInterval[] = [];
    let t = start;
    for (const [seconds, wh] of pieces) {
      curve.push({ from: t, to: t + seconds * 1000, energyKwh: wh / 1000 });
      t += seconds * 1000;
    }
    return { start, end: t, curve };
  });

/** The usage before and after `cut`, the curve piece containing it split in proportion. */
function cutAt(usage: SessionUsage, cut: number): [SessionUsage, SessionUsage] {
  const before: CurveInterval[] = [];
  const after: CurveInterval[] = [];
  for (const i of usage.curve) {
    if (i.to <= cut) before.push(i);
    else if (i.from >= cut) after.push(i);
    else {
      const share = (cut - i.from) / (i.to - i.from);
      before.push({ from: i.from, to: cut, energyKwh: i.energyKwh * share });
      after.push({ from: cut, to: i.to, energyKwh: i.energyKwh * (1 - share) });
    }
  }
  return [
    { start: usage.start, end: cut, curve: before },
    { start: cut, end: usage.end, curve: after },
  ];
}

describe('priceSession: properties', () => {
  const all = ['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT'] as const;

  it('breakdown sums to the total; nothing is negative; the same input gives the same cost', () => {
    fc.assert(
      fc.property(tariffArb(all, true), usageArb, fc.constantFrom(...ZONES), (tariff, usage, zone) => {
        const cost = priceSession(tariff, usage, zone);
        expect(cost.breakdown.reduce((a, l) => a + l.amount, 0)).toBe(cost.total);
        expect(cost.total).toBeGreaterThanOrEqual(0);
        expect(cost.tax).toBeGreaterThanOrEqual(0);
        for (const l of cost.breakdown) {
          expect(l.amount).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(l.amount)).toBe(true);
        }
        expect(priceSession(tariff, usage, zone)).toEqual(cost);
      }),
      { numRuns: 150 },
    );
  });

  it('cutting a session anywhere and pricing both parts gives the same total within a unit per part', () => {
    // Without FLAT (charged once per session), stepSize (rounds each session up) and kWh bounds (energy
    // "so far" restarts): those differ by design between one session and two.
    fc.assert(
      fc.property(
        tariffArb(['ENERGY', 'TIME', 'PARKING_TIME'], false),
        usageArb,
        fc.constantFrom(...ZONES),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (tariff, usage, zone, where) => {
          const cut = Math.round(usage.start + (usage.end - usage.start) * where);
          fc.pre(cut > usage.start && cut < usage.end);
          const whole = priceSession(tariff, usage, zone).total;
          const [a, b] = cutAt(usage, cut);
          const parts = priceSession(tariff, a, zone).total + priceSession(tariff, b, zone).total;
          expect(Math.abs(parts - whole)).toBeLessThanOrEqual(2);
        },
      ),
      { numRuns: 150 },
    );
  });
});
