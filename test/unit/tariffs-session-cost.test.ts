// Which tariff prices a session and with what curve (shared/tariffs/session-cost.ts, curve.ts), and the
// monthly report's rules (shared/reports/monthly.ts): pure, dates from an injected clock.

import { describe, expect, it } from 'vitest';
import { monthlyCsv, monthlyReport } from '../../shared/reports/monthly.js';
import type { ChargeSessionRecord, SessionCost } from '../../shared/sessions/model.js';
import type { PricedLocation } from '../../shared/storage/locations.js';
import type { TariffRecord } from '../../shared/storage/tariffs.js';
import { sessionCurve } from '../../shared/tariffs/curve.js';
import { withCost } from '../../shared/tariffs/session-cost.js';

const HOUR = 3_600_000;
// Pure code, so a fixed instant: mid-month and early in the day, so every session below falls in one
// calendar month (a clock-derived t0 put session b in the next month on a month's last evening).
const t0 = Date.UTC(2026, 10, 10, 8);
const iso = (ms: number) => new Date(ms).toISOString();

function session(overrides: Partial<ChargeSessionRecord> = {}): ChargeSessionRecord {
  return {
    tenantId: 't',
    entityId: 'e1',
    entityType: 'EV',
    id: 's1',
    start: iso(t0),
    end: iso(t0 + 2 * HOUR),
    energyKwh: 20,
    averagePowerKw: 10,
    peakPowerKw: 15,
    chargingSeconds: 7200,
    socStartPercent: 20,
    socEndPercent: 60,
    rangeStartKm: null,
    rangeEndKm: null,
    locationMatches: [],
    position: null,
    method: 'state_of_charge',
    source: 'calculated',
    created: iso(t0 + 6 * HOUR),
    measured: null,
    ...overrides,
  };
}

const home: PricedLocation = {
  id: 'L1',
  label: 'Home',
  lat: 0,
  lon: 0,
  radiusMeters: 50,
  category: 'home',
  tariffId: 'T1',
};
const tariff: TariffRecord = {
  tenantId: 't',
  id: 'T1',
  version: 4,
  name: 'Home',
  currency: 'EUR',
  elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.25 }] }],
  created: iso(t0 + 6 * HOUR),
  updated: iso(t0 + 6 * HOUR),
};
const context = {
  locations: [home],
  settings: { defaultTariffId: null },
  tariffs: new Map([['T1', tariff]]),
  prices: new Map(),
};
const match = (accuracy: number) => [{ accuracy, location: { id: 'L1', label: 'Home' } }];

describe('sessionCurve', () => {
  it('shapes the curve by state-of-charge rise and scales it to the session energy', () => {
    const readings = [
      { t: t0, soc: 20 },
      { t: t0 + HOUR, soc: 50 },
      { t: t0 + 2 * HOUR, soc: 60 },
    ];
    // Rises of 30 and 10 points: 3/4 and 1/4 of the session's 20 kWh, whatever the capacity says.
    expect(sessionCurve(session(), readings, 50)).toEqual([
      { from: t0, to: t0 + HOUR, energyKwh: 15 },
      { from: t0 + HOUR, to: t0 + 2 * HOUR, energyKwh: 5 },
    ]);
  });

  it('integrates power and ignores a meter reset; with no usable signal it spreads the energy evenly', () => {
    const power = [
      { t: t0, powerKw: 10 },
      { t: t0 + HOUR, powerKw: 10 },
      { t: t0 + 2 * HOUR, powerKw: 0 },
    ];
    expect(
      sessionCurve(session({ method: 'power_flow', energyKwh: 15 }), power, null).map((i) => i.energyKwh),
    ).toEqual([10, 5]);
    const meter = [
      { t: t0, energyKwh: 100 },
      { t: t0 + HOUR, energyKwh: 110 },
      { t: t0 + 2 * HOUR, energyKwh: 3 },
    ];
    expect(
      sessionCurve(session({ method: 'energy_meter', energyKwh: 10 }), meter, null).map((i) => i.energyKwh),
    ).toEqual([10, 0]);
    expect(sessionCurve(session(), [], 50)).toEqual([{ from: t0, to: t0 + 2 * HOUR, energyKwh: 20 }]);
  });
});

describe('withCost', () => {
  it('prices a session inside a location with its tariff and category, naming the version', () => {
    const priced = withCost(
      session({ locationMatches: match(0.9) }),
      [],
      { timeZone: 'UTC', batteryCapacityKwh: 50 },
      context,
    );
    expect(priced.category).toBe('home');
    expect(priced.cost).toMatchObject({ currency: 'EUR', total: 500, tariffId: 'T1', tariffVersion: 4 });
  });

  it('a match outside the radius is not the place; without a default tariff the cost is null', () => {
    const priced = withCost(
      session({ locationMatches: match(0.3) }),
      [],
      { timeZone: 'UTC', batteryCapacityKwh: 50 },
      context,
    );
    expect(priced).toMatchObject({ category: 'other', cost: null });
    const byDefault = withCost(
      session(),
      [],
      { timeZone: 'UTC', batteryCapacityKwh: 50 },
      {
        ...context,
        settings: { defaultTariffId: 'T1' },
      },
    );
    expect(byDefault).toMatchObject({ category: 'other', cost: { total: 500 } });
  });
});

describe('monthlyReport', () => {
  const month = iso(t0).slice(0, 7);
  const cost = (total: number, tax: number): SessionCost => ({
    currency: 'EUR',
    total,
    tax,
    tariffId: 'T1',
    tariffVersion: 1,
    breakdown: [],
  });
  const entities = new Map([['e1', { id: 'e1', name: 'Car', timeZone: 'UTC' }]]);
  const sessions = [
    session({ id: 'a', category: 'home', energyKwh: 10.05, cost: cost(250, 50) }),
    session({
      id: 'b',
      category: 'home',
      energyKwh: 10.05,
      cost: cost(250, 50),
      start: iso(t0 + 3 * HOUR),
      end: iso(t0 + 4 * HOUR),
    }),
    session({ id: 'c', category: 'work', energyKwh: 5, cost: null }),
  ];

  it('reimburses home sessions at the reference price, rounded per session half-even', () => {
    const rows = monthlyReport(month, sessions, entities, {
      reimbursement: { currency: 'EUR', pricePerKwh: 0.25 },
      reimburseHomeAtActualTariff: false,
    });
    // 10.05 × 0.25 = 2.5125 → 251 cents per session, 502 for two (not 502.5 rounded once).
    expect(rows.map((r) => [r.category, r.sessions, r.cost, r.unpricedSessions, r.reimbursable])).toEqual([
      ['home', 2, { currency: 'EUR', total: 500, tax: 100 }, 0, { currency: 'EUR', amount: 502 }],
      ['work', 1, null, 1, null],
    ]);
    const csv = monthlyCsv(month, rows).split('\r\n');
    expect(csv[1]).toMatch(/,home,.*,2,20\.1000,0,0,EUR,5\.00,1\.00,6\.00,EUR,5\.02$/);
  });

  it('reimburses at the actual cost with VAT when the tenant says so, and leaves other months out', () => {
    const rows = monthlyReport(month, sessions, entities, {
      reimbursement: null,
      reimburseHomeAtActualTariff: true,
    });
    expect(rows[0]!.reimbursable).toEqual({ currency: 'EUR', amount: 600 });
    expect(
      monthlyReport('1999-01', sessions, entities, {
        reimbursement: null,
        reimburseHomeAtActualTariff: true,
      }),
    ).toEqual([]);
  });

  it('counts the sessions whose quality is flagged: estimated energy or a data gap inside', () => {
    const quality = (energy: 'measured' | 'estimated', gaps: number) => ({
      start: { rule: 'midpoint' as const, uncertaintySeconds: 60 },
      end: { rule: 'midpoint' as const, uncertaintySeconds: 60 },
      gaps: { count: gaps, seconds: gaps * 3600 },
      energy,
    });
    const rows = monthlyReport(
      month,
      [
        session({ id: 'a', category: 'home', quality: quality('measured', 0) }),
        session({ id: 'b', category: 'home', quality: quality('estimated', 0) }),
        session({ id: 'c', category: 'home', quality: quality('measured', 2) }),
        session({ id: 'd', category: 'home', quality: null }),
      ],
      entities,
      { reimbursement: null, reimburseHomeAtActualTariff: false },
    );
    expect(rows.map((r) => [r.sessions, r.flaggedSessions])).toEqual([[4, 2]]);
  });
});
