// What a session's cost and quality say, in words and units, for the session view. Pure, so the wording
// is tested without a browser.

import type { ChargeSession } from './api/client';
import { duration, kwh, money, percent } from './format';

type Data = ChargeSession['data'];
type Cost = NonNullable<Data['cost']>;
type Quality = NonNullable<Data['quality']>;

export const CATEGORY_LABELS: Record<Data['category'], string> = {
  home: 'Home',
  work: 'Work',
  depot: 'Depot',
  public: 'Public charging',
  other: 'Other',
};

const LINE_LABELS: Record<Cost['breakdown'][number]['type'], string> = {
  FLAT: 'Start fee',
  ENERGY: 'Energy',
  TIME: 'Charging time',
  PARKING_TIME: 'Parking time',
};

const quantity = (value: number, unit: 'kWh' | 'h' | 'session') =>
  unit === 'kWh' ? kwh(value) : unit === 'h' ? duration(value * 3600) : `${value} × session`;

/** One line of the cost breakdown: what was charged for, how much of it, at what unit price, for what. */
export function costLine(line: Cost['breakdown'][number], currency: string) {
  return {
    what: LINE_LABELS[line.type],
    quantity: quantity(line.quantity, line.unit),
    // The unit price is in major units (the tariff's own figure), the amount in minor units.
    price: `${new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 4 }).format(line.price)} / ${line.unit}`,
    amount: money(line.amount, currency),
  };
}

/** "€5.00 + €1.05 VAT = €6.05". */
export function costSummary(cost: Cost): string {
  return `${money(cost.total, cost.currency)} + ${money(cost.tax, cost.currency)} VAT = ${money(cost.total + cost.tax, cost.currency)}`;
}

const RULE_LABELS: Record<Quality['start']['rule'], string> = {
  data_edge: 'first or last reading seeing charging at a data gap or the window edge',
  midpoint: 'midway between the readings either side',
  metered: 'from the metered energy at the measured rate',
  rate_across_gap: 'from the energy across a data gap at the rate beside it',
  soc_rate: "from the state of charge's rate",
  soc_cross_check: 'within half a 1 % state-of-charge step of the charging reading',
  idle_wake: 'half a sampling interval from the charging reading after an idle silence',
  single_interval: 'the middle half of the one interval that saw charging',
};

const ENERGY_LABELS: Record<Quality['energy'], string> = {
  measured: 'measured by an energy meter',
  integrated: 'integrated from power readings',
  estimated: 'estimated from state of charge × battery capacity',
};

/** "± 5 min, midway between the readings either side". */
export function boundaryText(boundary: Quality['start']): string {
  return `± ${duration(boundary.uncertaintySeconds)}, ${RULE_LABELS[boundary.rule]}`;
}

export function gapsText(gaps: Quality['gaps']): string {
  if (gaps.count === 0) return 'none';
  return `${gaps.count} ${gaps.count === 1 ? 'gap' : 'gaps'} of more than 45 min, ${duration(gaps.seconds)} in all`;
}

export const energyText = (energy: Quality['energy']) => ENERGY_LABELS[energy];

/**
 * Why a session is flagged, as the fleet view counts it (the API's monthly report `flaggedSessions`): its
 * energy is only estimated, or a data gap lies inside it. Empty when it is not flagged, or has no quality.
 */
export function flagReasons(quality: Quality | undefined): string[] {
  if (!quality) return [];
  return [
    ...(quality.energy === 'estimated'
      ? ['its energy is only estimated from state of charge × battery capacity']
      : []),
    ...(quality.gaps.count > 0 ? [`a data gap lies inside it (${gapsText(quality.gaps)})`] : []),
  ];
}

/** "41.2 kWh into the battery (92 % of the energy delivered)". */
export function batteryText(charge: Data['charge']): string | undefined {
  if (!charge.battery) return undefined;
  const base = `${kwh(charge.battery.total)} into the battery`;
  return charge.efficiency === undefined
    ? base
    : `${base} (${percent(charge.efficiency * 100)} of the energy delivered)`;
}
