// What the fleet view shows, computed from the fleet's daily energy (one row per entity and local day on
// which it charged) and the month's report (one request for the whole fleet: cost and flagged sessions per
// entity and category). The view's requests grow with the rows (1,000 a page), never one per entity.

import {
  type Api,
  allPages,
  type DailyEnergy,
  type Entity,
  type MonthlyReport,
  type MonthlyRow,
  must,
} from './api/client';
import { addDays } from './format';

export interface FleetRange {
  /** First local day, inclusive. */
  start: string;
  /** Day after the last, exclusive. */
  end: string;
}

export async function loadDailyEnergy(api: Api, range: FleetRange) {
  return allPages<DailyEnergy>(async (continuationToken) =>
    must(
      await api.GET('/v1/fleet/daily-energy', {
        params: { query: { ...range, pageSize: 1000, ...(continuationToken ? { continuationToken } : {}) } },
      }),
    ),
  );
}

/** Every entity's name (for the chart's bands) and how many there are: 100 a request. */
export async function loadEntityNames(api: Api) {
  const all = await allPages<Entity>(async (continuationToken) =>
    must(
      await api.GET('/v1/entities', {
        params: { query: { pageSize: 100, ...(continuationToken ? { continuationToken } : {}) } },
      }),
    ),
  );
  return {
    names: new Map(all.items.map((e) => [e.id, e.name])),
    count: all.items.length,
    complete: all.complete,
  };
}

export interface EntityFigures {
  energyKwh: number;
  sessions: number;
  /** The last local day in the range on which it charged. */
  lastChargingDay: string;
}

export interface FleetTotals {
  energyKwh: number;
  sessions: number;
  /** Entities that charged in the range. */
  chargingEntities: number;
  perEntity: Map<string, EntityFigures>;
}

export function totals(rows: readonly DailyEnergy[], range: FleetRange): FleetTotals {
  const perEntity = new Map<string, EntityFigures>();
  let energyKwh = 0;
  let sessions = 0;
  for (const row of rows) {
    if (row.date < range.start || row.date >= range.end) continue;
    energyKwh += row.energy.value;
    sessions += row.sessionCount;
    const figures = perEntity.get(row.entityId) ?? { energyKwh: 0, sessions: 0, lastChargingDay: row.date };
    figures.energyKwh += row.energy.value;
    figures.sessions += row.sessionCount;
    if (row.date > figures.lastChargingDay) figures.lastChargingDay = row.date;
    perEntity.set(row.entityId, figures);
  }
  return { energyKwh, sessions, chargingEntities: perEntity.size, perEntity };
}

export type StackBy = 'type' | 'entity';

export interface StackedSeries {
  days: string[];
  /** One series per group, values per day in kWh (not cumulative; the chart stacks them). */
  series: { key: string; label: string; values: number[] }[];
}

/** The most entities drawn as their own band; the rest are summed as "Other entities". */
export const MAX_BANDS = 8;

export function stackedDailyEnergy(
  rows: readonly DailyEnergy[],
  range: FleetRange,
  stackBy: StackBy,
  nameOf: (entityId: string) => string,
): StackedSeries {
  const days: string[] = [];
  for (let day = range.start; day < range.end; day = addDays(day, 1)) days.push(day);
  const index = new Map(days.map((day, i) => [day, i]));
  const groupOf = (row: DailyEnergy) => (stackBy === 'type' ? row.entityType : row.entityId);
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(groupOf(row), (sums.get(groupOf(row)) ?? 0) + row.energy.value);
  const ordered = [...sums.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const kept = new Set(ordered.slice(0, MAX_BANDS - (ordered.length > MAX_BANDS ? 1 : 0)).map(([k]) => k));
  const bands = new Map<string, number[]>();
  const bandOf = (group: string) => (kept.has(group) ? group : 'other');
  for (const [group] of ordered) bands.set(bandOf(group), bands.get(bandOf(group)) ?? days.map(() => 0));
  for (const row of rows) {
    const i = index.get(row.date);
    const values = bands.get(bandOf(groupOf(row)));
    if (i === undefined || !values) continue;
    values[i] = (values[i] ?? 0) + row.energy.value;
  }
  const label = (key: string) =>
    key === 'other'
      ? 'Other entities'
      : stackBy === 'type'
        ? key === 'EV'
          ? 'Electric vehicles'
          : 'Charge points'
        : nameOf(key);
  return { days, series: [...bands.entries()].map(([key, values]) => ({ key, label: label(key), values })) };
}

/** The fleet's monthly report (YYYY-MM, each entity's local month): one request, whatever the fleet's size. */
export async function loadMonthlyReport(api: Api, month: string): Promise<MonthlyReport> {
  const report = must(
    await api.GET('/v1/fleet/reports/monthly', {
      params: { query: { month } },
      headers: { accept: 'application/json' },
    }),
  );
  // The route also speaks CSV; asked for JSON, a string answer is a broken contract, not data.
  if (typeof report === 'string') throw new Error('The monthly report came back as text, not JSON.');
  return report;
}

export interface MonthCost {
  currency: string;
  /** Minor units, excluding VAT. */
  total: number;
  /** Minor units: the VAT. */
  tax: number;
}

export interface MonthReportFigures {
  /** One entry per currency the month's priced sessions were in; empty when none was priced. */
  costs: MonthCost[];
  /** Sessions no tariff priced (their cost is unknown, not zero). */
  unpricedSessions: number;
  /**
   * Per entity, its sessions whose quality the API flags (`flaggedSessions`): energy only estimated from
   * state of charge × capacity, or a data gap of more than 45 min inside the session.
   */
  flaggedPerEntity: Map<string, number>;
}

/** Costs summed per currency (never converted, never mixed) and flagged sessions per entity. */
export function monthReportFigures(rows: readonly MonthlyRow[]): MonthReportFigures {
  const costs = new Map<string, MonthCost>();
  const flaggedPerEntity = new Map<string, number>();
  let unpricedSessions = 0;
  for (const row of rows) {
    unpricedSessions += row.unpricedSessions;
    flaggedPerEntity.set(row.entityId, (flaggedPerEntity.get(row.entityId) ?? 0) + row.flaggedSessions);
    if (!row.cost) continue;
    const sum = costs.get(row.cost.currency) ?? { currency: row.cost.currency, total: 0, tax: 0 };
    sum.total += row.cost.total;
    sum.tax += row.cost.tax;
    costs.set(row.cost.currency, sum);
  }
  return {
    costs: [...costs.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    unpricedSessions,
    flaggedPerEntity,
  };
}
