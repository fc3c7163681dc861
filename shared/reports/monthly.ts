// The monthly cost report, pure: a month's sessions per entity and category, with energy, cost and what
// the employer reimburses. A session belongs to the month of its start in its entity's local time.
//
// Reimbursable (home sessions only; other categories are paid by whoever runs the charger): each home
// session at the tenant's reference price (kWh × price, rounded per session half-even to the minor unit),
// or at its actual tariff cost with VAT when the tenant chose so. Null when nothing applies (no reference
// price set, or an unpriced session under "actual tariff").

import { csvCell, csvLine } from '../exports/csv.js';
import { currencyExponent, minorToDecimal, roundHalfEven } from '../money.js';
import {
  type ChargeSessionRecord,
  qualityFlagged,
  type SessionCategory,
  sessionCategory,
} from '../sessions/model.js';
import type { CostSettings } from '../storage/cost-settings.js';
import { localMoment, offsetMinutes } from '../tariffs/local-time.js';

export interface ReportEntity {
  id: string;
  name: string;
  timeZone: string;
}

export interface MonthlyRow {
  entityId: string;
  entityName: string;
  timeZone: string;
  category: SessionCategory;
  /** Local date-times `YYYY-MM-DD HH:MM` in `timeZone`: the first session's start and the last one's end. */
  firstStart: string;
  lastEnd: string;
  sessions: number;
  energyKwh: number;
  /** Null when no session of the row was priced. Amounts in minor units. */
  cost: { currency: string; total: number; tax: number } | null;
  /** Sessions with `cost: null`. */
  unpricedSessions: number;
  /** Sessions whose quality is flagged (qualityFlagged: estimated energy or a data gap inside). */
  flaggedSessions: number;
  reimbursable: { currency: string; amount: number } | null;
}

const localText = (t: number, zone: string) => {
  const offset = offsetMinutes(zone, t);
  const m = localMoment(t, offset);
  const minutes = Math.floor(m.minuteOfDay);
  return `${m.date} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
};

/** Whether the session started in `month` (YYYY-MM) in its entity's zone. */
export function inLocalMonth(
  session: Pick<ChargeSessionRecord, 'start'>,
  month: string,
  zone: string,
): boolean {
  return localText(Date.parse(session.start), zone).startsWith(month);
}

/** The UTC instants that certainly contain every local `month`: a day of margin on both sides. */
export function monthQueryRange(month: string): { start: string; end: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const DAY = 86_400_000;
  return {
    start: new Date(Date.UTC(y, m - 1, 1) - DAY).toISOString(),
    end: new Date(Date.UTC(y, m, 1) + DAY).toISOString(),
  };
}

/** Rows for `month`, ordered by entity name, entity id, category; currencies never mixed in one row. */
export function monthlyReport(
  month: string,
  sessions: readonly ChargeSessionRecord[],
  entities: ReadonlyMap<string, ReportEntity>,
  settings: Pick<CostSettings, 'reimbursement' | 'reimburseHomeAtActualTariff'>,
): MonthlyRow[] {
  const rows = new Map<string, MonthlyRow & { reimbursableUnknown: boolean }>();
  for (const session of sessions) {
    const entity = entities.get(session.entityId) ?? { id: session.entityId, name: '', timeZone: 'UTC' };
    if (!inLocalMonth(session, month, entity.timeZone)) continue;
    const category = sessionCategory(session);
    const cost = session.cost ?? null;
    const key = `${entity.id}\u0000${category}\u0000${cost?.currency ?? ''}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        entityId: entity.id,
        entityName: entity.name,
        timeZone: entity.timeZone,
        category,
        firstStart: session.start,
        lastEnd: session.end,
        sessions: 0,
        energyKwh: 0,
        cost: null,
        unpricedSessions: 0,
        flaggedSessions: 0,
        reimbursable: null,
        reimbursableUnknown: false,
      };
      rows.set(key, row);
    }
    row.sessions += 1;
    row.energyKwh += session.energyKwh;
    if (qualityFlagged(session)) row.flaggedSessions += 1;
    if (session.start < row.firstStart) row.firstStart = session.start;
    if (session.end > row.lastEnd) row.lastEnd = session.end;
    if (cost) {
      row.cost ??= { currency: cost.currency, total: 0, tax: 0 };
      row.cost.total += cost.total;
      row.cost.tax += cost.tax;
    } else {
      row.unpricedSessions += 1;
    }
    if (category !== 'home') continue;
    const share = homeReimbursement(session, settings);
    if (share === null) row.reimbursableUnknown = true;
    else {
      row.reimbursable ??= { currency: share.currency, amount: 0 };
      row.reimbursable.amount += share.amount;
    }
  }
  return [...rows.values()]
    .map(({ reimbursableUnknown, ...row }) => ({
      ...row,
      energyKwh: Number(row.energyKwh.toFixed(4)),
      firstStart: localText(Date.parse(row.firstStart), row.timeZone),
      lastEnd: localText(Date.parse(row.lastEnd), row.timeZone),
      // A partly unknown amount is not a total: say nothing rather than too little.
      reimbursable: reimbursableUnknown ? null : row.reimbursable,
    }))
    .sort(
      (a, b) =>
        a.entityName.localeCompare(b.entityName) ||
        a.entityId.localeCompare(b.entityId) ||
        a.category.localeCompare(b.category) ||
        (a.cost?.currency ?? '').localeCompare(b.cost?.currency ?? ''),
    );
}

function homeReimbursement(
  session: ChargeSessionRecord,
  settings: Pick<CostSettings, 'reimbursement' | 'reimburseHomeAtActualTariff'>,
): { currency: string; amount: number } | null {
  if (settings.reimburseHomeAtActualTariff) {
    return session.cost
      ? { currency: session.cost.currency, amount: session.cost.total + session.cost.tax }
      : null;
  }
  const reference = settings.reimbursement;
  if (!reference) return null;
  const exponent = currencyExponent(reference.currency) ?? 2;
  return {
    currency: reference.currency,
    amount: roundHalfEven(session.energyKwh * reference.pricePerKwh * 10 ** exponent),
  };
}

export const MONTHLY_CSV_HEADER = [
  'month',
  'entity_id',
  'entity_name',
  'time_zone',
  'category',
  'first_start_local',
  'last_end_local',
  'sessions',
  'energy_kwh',
  'unpriced_sessions',
  'flagged_sessions',
  'currency',
  'cost_excl_vat',
  'vat',
  'cost_incl_vat',
  'reimbursable_currency',
  'reimbursable',
];

const decimal = (minor: number, currency: string) => {
  const exponent = currencyExponent(currency) ?? 2;
  return minorToDecimal(minor, exponent).toFixed(exponent);
};

/** The report as CSV for spreadsheets: decimal amounts in the currency named on the row, local times. */
export function monthlyCsv(month: string, rows: readonly MonthlyRow[]): string {
  let out = csvLine(MONTHLY_CSV_HEADER);
  for (const r of rows) {
    out += csvLine([
      month,
      r.entityId,
      csvCell(r.entityName, { defuseFormula: true }),
      r.timeZone,
      r.category,
      r.firstStart,
      r.lastEnd,
      String(r.sessions),
      r.energyKwh.toFixed(4),
      String(r.unpricedSessions),
      String(r.flaggedSessions),
      r.cost?.currency ?? '',
      r.cost ? decimal(r.cost.total, r.cost.currency) : '',
      r.cost ? decimal(r.cost.tax, r.cost.currency) : '',
      r.cost ? decimal(r.cost.total + r.cost.tax, r.cost.currency) : '',
      r.reimbursable?.currency ?? '',
      r.reimbursable ? decimal(r.reimbursable.amount, r.reimbursable.currency) : '',
    ]);
  }
  return out;
}
