import { expect, it } from 'vitest';
import { type DailyEnergy, type MonthlyRow, makeApi } from '../src/api/client';
import {
  loadDailyEnergy,
  loadEntityNames,
  loadMonthlyReport,
  MAX_BANDS,
  monthReportFigures,
  stackedDailyEnergy,
  totals,
} from '../src/fleet-data';
import { addDays, money } from '../src/format';

function row(
  entityId: string,
  date: string,
  kwh: number,
  sessions = 1,
  type: 'EV' | 'CP' = 'EV',
): DailyEnergy {
  return {
    entityId,
    entityType: type,
    date,
    timeZone: 'Europe/Amsterdam',
    energy: { value: kwh, unit: 'kWh' },
    sessionCount: sessions,
    chargingMinutes: 60,
    updated: '2030-01-01T00:00:00Z',
  };
}

function reportRow(entityId: string, overrides: Partial<MonthlyRow> = {}): MonthlyRow {
  return {
    entityId,
    entityName: `Car ${entityId}`,
    timeZone: 'Europe/Amsterdam',
    category: 'home',
    firstStart: '2030-03-01 08:00',
    lastEnd: '2030-03-31 20:00',
    sessions: 30,
    energyKwh: 300,
    unpricedSessions: 0,
    flaggedSessions: 0,
    cost: { currency: 'EUR', total: 7500, tax: 1575 },
    reimbursable: null,
    ...overrides,
  };
}

it("the fleet view's data for 200 entities over 90 days takes 21 requests, none per entity", async () => {
  const end = '2030-04-01';
  const start = addDays(end, -90);
  const rows: DailyEnergy[] = [];
  for (let e = 0; e < 200; e++)
    for (let d = 0; d < 90; d++) rows.push(row(`entity-${e}`, addDays(start, d), 10));
  const entities = Array.from({ length: 200 }, (_, e) => ({ id: `entity-${e}`, name: `Car ${e}` }));
  const urls: string[] = [];
  const api = makeApi({
    baseUrl: 'http://api.test',
    token: () => 't',
    onUnauthorized: () => {},
    fetch: async (request) => {
      urls.push(request.url);
      const url = new URL(request.url);
      const size = Number(url.searchParams.get('pageSize'));
      const from = Number(url.searchParams.get('continuationToken') ?? 0);
      if (url.pathname === '/v1/fleet/reports/monthly')
        return new Response(
          JSON.stringify({
            month: url.searchParams.get('month'),
            rows: entities.map((e) => reportRow(e.id, { flaggedSessions: 1 })),
          }),
          { headers: { 'content-type': 'application/json' } },
        );
      const items: unknown[] = url.pathname === '/v1/entities' ? entities : rows;
      const next = from + size < items.length ? String(from + size) : null;
      return new Response(
        JSON.stringify({
          data: items.slice(from, from + size),
          links: { next: null },
          meta: { continuationToken: next, pageSize: size },
        }),
        { headers: { 'content-type': 'application/json' } },
      );
    },
  });
  const [loaded, named, report] = await Promise.all([
    loadDailyEnergy(api, { start, end }),
    loadEntityNames(api),
    loadMonthlyReport(api, '2030-03'),
  ]);
  const figures = monthReportFigures(report.rows);
  expect(figures.costs).toEqual([{ currency: 'EUR', total: 200 * 7500, tax: 200 * 1575 }]);
  expect(figures.flaggedPerEntity.get('entity-199')).toBe(1);
  expect(loaded.complete).toBe(true);
  expect(loaded.items).toHaveLength(18_000);
  expect(named).toMatchObject({ count: 200, complete: true });
  expect(named.names.get('entity-199')).toBe('Car 199');
  const paths = urls.map((u) => new URL(u).pathname);
  // 1,000 entity-days and 100 entities a page, the month's cost and quality in one report; no URL names
  // an entity.
  expect(paths.filter((p) => p === '/v1/fleet/daily-energy')).toHaveLength(18);
  expect(paths.filter((p) => p === '/v1/entities')).toHaveLength(2);
  expect(paths.filter((p) => p === '/v1/fleet/reports/monthly')).toHaveLength(1);
  expect(urls).toHaveLength(21);
  expect(urls.some((u) => u.includes('entity-'))).toBe(false);
});

it("totals count only the range's days, per entity with its last charging day", () => {
  const rows = [row('a', '2030-03-31', 5), row('a', '2030-04-02', 7, 2), row('b', '2030-04-03', 1, 0, 'CP')];
  const t = totals(rows, { start: '2030-04-01', end: '2030-05-01' });
  expect(t.energyKwh).toBe(8);
  expect(t.sessions).toBe(2);
  expect(t.chargingEntities).toBe(2);
  expect(t.perEntity.get('a')).toEqual({ energyKwh: 7, sessions: 2, lastChargingDay: '2030-04-02' });
});

it('stacks by category or by entity, one value per day of the range, the smallest entities folded into one band', () => {
  const range = { start: '2030-04-01', end: '2030-04-04' };
  const rows = [row('a', '2030-04-01', 5), row('b', '2030-04-01', 2, 1, 'CP'), row('a', '2030-04-03', 1)];
  const byType = stackedDailyEnergy(rows, range, 'type', (id) => id);
  expect(byType.days).toEqual(['2030-04-01', '2030-04-02', '2030-04-03']);
  expect(byType.series).toEqual([
    { key: 'EV', label: 'Electric vehicles', values: [5, 0, 1] },
    { key: 'CP', label: 'Charge points', values: [2, 0, 0] },
  ]);
  const many = Array.from({ length: 12 }, (_, i) =>
    row(`e${String(i).padStart(2, '0')}`, '2030-04-01', 12 - i),
  );
  const byEntity = stackedDailyEnergy(many, range, 'entity', (id) => `Car ${id}`);
  expect(byEntity.series).toHaveLength(MAX_BANDS);
  expect(byEntity.series[0]).toEqual({ key: 'e00', label: 'Car e00', values: [12, 0, 0] });
  const other = byEntity.series.at(-1);
  expect(other?.label).toBe('Other entities');
  // The five smallest (5+4+3+2+1) fold into "Other entities"; nothing is lost.
  expect(other?.values[0]).toBe(15);
  expect(byEntity.series.reduce((sum, s) => sum + (s.values[0] ?? 0), 0)).toBe(78);
});

it("sums the month's cost per currency, never mixing or inventing one, and flagged sessions per entity", () => {
  const figures = monthReportFigures([
    reportRow('a', { cost: { currency: 'EUR', total: 1000, tax: 210 }, flaggedSessions: 2 }),
    reportRow('a', { category: 'work', cost: null, unpricedSessions: 3, flaggedSessions: 1 }),
    reportRow('b', { cost: { currency: 'GBP', total: 500, tax: 100 } }),
    reportRow('c', { cost: { currency: 'EUR', total: 1, tax: 0 } }),
  ]);
  expect(figures.costs).toEqual([
    { currency: 'EUR', total: 1001, tax: 210 },
    { currency: 'GBP', total: 500, tax: 100 },
  ]);
  expect(figures.unpricedSessions).toBe(3);
  expect(figures.flaggedPerEntity).toEqual(
    new Map([
      ['a', 3],
      ['b', 0],
      ['c', 0],
    ]),
  );
  // No priced session: no cost at all, not a zero.
  expect(monthReportFigures([reportRow('a', { cost: null, unpricedSessions: 30 })]).costs).toEqual([]);
});

it('shows minor units in their currency, with its own decimals', () => {
  expect(money(1234, 'EUR')).toBe('€12.34');
  expect(money(1200, 'JPY')).toBe('JP¥1,200');
  expect(money(5, 'GBP')).toBe('£0.05');
});
