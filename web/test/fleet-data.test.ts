import { expect, it } from 'vitest';
import { type DailyEnergy, makeApi } from '../src/api/client';
import { loadDailyEnergy, loadEntityNames, MAX_BANDS, stackedDailyEnergy, totals } from '../src/fleet-data';
import { addDays } from '../src/format';

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

it("the fleet view's data for 200 entities over 90 days takes 20 requests, none per entity", async () => {
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
  const [loaded, named] = await Promise.all([loadDailyEnergy(api, { start, end }), loadEntityNames(api)]);
  expect(loaded.complete).toBe(true);
  expect(loaded.items).toHaveLength(18_000);
  expect(named).toMatchObject({ count: 200, complete: true });
  expect(named.names.get('entity-199')).toBe('Car 199');
  const paths = urls.map((u) => new URL(u).pathname);
  // 1,000 entity-days and 100 entities a page; no URL names an entity.
  expect(paths.filter((p) => p === '/v1/fleet/daily-energy')).toHaveLength(18);
  expect(paths.filter((p) => p === '/v1/entities')).toHaveLength(2);
  expect(urls).toHaveLength(20);
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
