// The tariff as the pricing code sees it, modelled on OCPI 2.2.1's Tariff (camelCase): prices are decimals
// in the currency's major unit excluding VAT; `vat` is a percentage; `stepSize` is Wh for ENERGY and
// seconds for TIME and PARKING_TIME. Pure types and constants, no storage.

export const PRICE_COMPONENT_TYPES = ['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT'] as const;
export type PriceComponentType = (typeof PRICE_COMPONENT_TYPES)[number];

export const DAYS_OF_WEEK = [
  'SUNDAY',
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export interface PriceComponent {
  type: PriceComponentType;
  /** Major units, excluding VAT: per kWh (ENERGY), per hour (TIME, PARKING_TIME), per session (FLAT). */
  price: number;
  /** Percent, e.g. 21. */
  vat?: number;
  /** Wh for ENERGY, seconds for TIME and PARKING_TIME: the session's quantity is billed in whole steps. */
  stepSize?: number;
}

/** When an element applies. Every restriction given must hold; bounds are min inclusive, max exclusive. */
export interface TariffRestrictions {
  /** Local `HH:MM`, inclusive. An endTime before startTime crosses midnight. */
  startTime?: string;
  /** Local `HH:MM`, exclusive. */
  endTime?: string;
  /** Local `YYYY-MM-DD`, inclusive. */
  startDate?: string;
  /** Local `YYYY-MM-DD`, exclusive. */
  endDate?: string;
  /** Local day of the week at the moment priced. */
  daysOfWeek?: DayOfWeek[];
  /** The session's energy so far, kWh. */
  minKwh?: number;
  maxKwh?: number;
  /** The charging power at the moment, kW. */
  minPowerKw?: number;
  maxPowerKw?: number;
}

export interface TariffElement {
  priceComponents: PriceComponent[];
  restrictions?: TariffRestrictions;
}

export interface TariffDefinition {
  currency: string;
  elements: TariffElement[];
}

/** A dynamic (day-ahead) ENERGY price for [start, end), epoch ms; major units per kWh excluding VAT. */
export interface PricePoint {
  start: number;
  end: number;
  price: number;
}

export const UNITS: Record<PriceComponentType, 'kWh' | 'h' | 'session'> = {
  ENERGY: 'kWh',
  TIME: 'h',
  PARKING_TIME: 'h',
  FLAT: 'session',
};

/** `HH:MM` as minutes after local midnight; 24:00 is not a time (OCPI's range is 00:00–23:59). */
export function minutesOfDay(hhmm: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}
