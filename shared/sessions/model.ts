// The charge session: the contract between the engine (which computes it), the daily job (which stores
// it), public charging (which measures it), the read API (which serves it in DER-Connect's shape) and the
// exports (Atlas, EV-ChART, Beckn, CSV). Pure types, schemas and mapping; no storage.

import * as z from 'zod/mini';
import { roundTo } from '../numbers.js';
import { boundedNumber } from '../schema.js';

export const SESSION_METHODS = ['energy_meter', 'power_flow', 'state_of_charge'] as const;
export type SessionMethod = (typeof SESSION_METHODS)[number];

/** `calculated` from an entity's readings; `measured` by a charger's own meter (public charging). */
export const SESSION_SOURCES = ['calculated', 'measured'] as const;
export type SessionSource = (typeof SESSION_SOURCES)[number];

export interface LocationMatch {
  accuracy: number;
  location: { id: string; label: string };
}

/**
 * The EV-ChART identity of the port a session was measured on, as its charger was registered when the
 * session started: what the station was reported under at the time, kept with the session so a charger
 * deleted, moved or unregistered later does not take it away (shared/sessions/export-context.ts says
 * when an export uses it).
 */
export interface EvchartPortSnapshot {
  stationId: string;
  networkProvider: string;
  /** Null when the charger registered no charger_id (EV-ChART allows that). */
  chargerId: string | null;
  portId: string;
}

/** What a charger knows of a session it metered itself; absent on calculated sessions. */
export interface MeasuredDetails {
  chargerCode: string;
  connectorId: number;
  connectorType: string | null;
  /** OCPP 2.0.1 stoppedReason, e.g. EVDisconnected. */
  stoppedReason: string | null;
  /** When the cable was plugged in and out, where the charger reported it. */
  plugStart: string | null;
  plugEnd: string | null;
  currency: string | null;
  /** Minor units. */
  costAmount: number | null;
  taxAmount: number | null;
  pricePerKwh: number | null;
  startFee: number | null;
  paymentType: string | null;
  /** The public charging session's final status (captured, no_charge, …). */
  finalStatus: string | null;
  failureReason: string | null;
  /**
   * The charger's EV-ChART registration of the session's port when the session started; null when the
   * charger or the connector's port was not registered then, or the session was recorded before this
   * was kept (stored items without it read as null).
   */
  evchart: EvchartPortSnapshot | null;
}

/** Where a session happened, for cost and reimbursement: the matched location's, `public` for a public charger's. */
export const SESSION_CATEGORIES = ['home', 'work', 'depot', 'public', 'other'] as const;
export type SessionCategory = (typeof SESSION_CATEGORIES)[number];

export const COST_LINE_TYPES = ['FLAT', 'ENERGY', 'TIME', 'PARKING_TIME'] as const;

/** What a session cost under the tariff that priced it (shared/tariffs/pricing.ts); amounts in minor units. */
export interface SessionCost {
  currency: string;
  /** Excluding VAT; the sum of the breakdown's amounts. */
  total: number;
  /** The VAT on `total`. */
  tax: number;
  tariffId: string;
  tariffVersion: number;
  breakdown: {
    from: string;
    to: string;
    type: (typeof COST_LINE_TYPES)[number];
    quantity: number;
    unit: 'kWh' | 'h' | 'session';
    /** The unit price, major units excluding VAT. */
    price: number;
    amount: number;
  }[];
}

/** A completed charge session as stored. */
export interface ChargeSessionRecord {
  tenantId: string;
  entityId: string;
  entityType: 'EV' | 'CP';
  /** Deterministic from entity and start: re-running the engine never duplicates a session. */
  id: string;
  /** ISO 8601 UTC, millisecond precision. */
  start: string;
  end: string;
  energyKwh: number;
  averagePowerKw: number;
  peakPowerKw: number;
  /** Seconds during which energy actually flowed (excludes pauses inside a merged session). */
  chargingSeconds: number;
  socStartPercent: number | null;
  socEndPercent: number | null;
  rangeStartKm: number | null;
  rangeEndKm: number | null;
  locationMatches: LocationMatch[];
  /** Exact position; stored only when the tenant opted in to exact locations. */
  position: { lat: number; lon: number } | null;
  method: SessionMethod;
  source: SessionSource;
  /** When this session was computed or recorded. */
  created: string;
  measured: MeasuredDetails | null;
  /** Set when the daily job stores a session; absent on sessions stored before costs existed. */
  category?: SessionCategory;
  /** Null when no tariff applies (never a made-up zero); absent as for `category`. */
  cost?: SessionCost | null;
}

/** The category a session has: its stored one, else `public` for a charger-measured one, else `other`. */
export function sessionCategory(session: Pick<ChargeSessionRecord, 'category' | 'source'>): SessionCategory {
  return session.category ?? (session.source === 'measured' ? 'public' : 'other');
}

const Quantity = <U extends string>(unit: U) => z.object({ value: z.number(), unit: z.literal(unit) });

export const ChargeSessionResource = z
  .object({
    id: z.string(),
    entityId: z.string(),
    created: z.iso.datetime(),
    data: z.object({
      start: z.iso.datetime(),
      end: z.iso.datetime(),
      charge: z.object({
        total: z.object({ total: z.number(), unit: z.literal('kWh') }),
        averagePower: Quantity('kW'),
        peakPower: Quantity('kW'),
        start: z.optional(Quantity('%')),
        end: z.optional(Quantity('%')),
      }),
      range: z.optional(z.object({ start: z.optional(Quantity('km')), end: z.optional(Quantity('km')) })),
      locationMatches: z.array(
        z.object({
          accuracy: boundedNumber(0, 1),
          location: z.object({ id: z.string(), label: z.string() }),
        }),
      ),
      location: z
        .optional(z.object({ lat: z.number(), lon: z.number() }))
        .check(z.meta({ description: 'Exact position; only for tenants that opted in to exact locations.' })),
      method: z.enum(SESSION_METHODS).check(z.meta({ description: 'How the energy was determined.' })),
      source: z.enum(SESSION_SOURCES),
      chargingDuration: z.number().check(z.meta({ description: 'Seconds during which energy flowed.' })),
      category: z.enum(SESSION_CATEGORIES).check(
        z.meta({
          description:
            "The matched location's category (accuracy ≥ 0.5); `public` for a public charger's sessions; else `other`.",
        }),
      ),
      cost: z.nullable(
        z
          .object({
            currency: z.string(),
            total: z
              .int()
              .check(z.meta({ description: 'Minor units, excluding VAT: the sum of the breakdown.' })),
            tax: z.int().check(z.meta({ description: 'Minor units: the VAT on total.' })),
            tariffId: z.string(),
            tariffVersion: z.int(),
            breakdown: z.array(
              z.object({
                from: z.iso.datetime(),
                to: z.iso.datetime(),
                type: z.enum(COST_LINE_TYPES),
                quantity: z.number(),
                unit: z.enum(['kWh', 'h', 'session']),
                price: z.number().check(z.meta({ description: 'Unit price, major units excluding VAT.' })),
                amount: z.int().check(z.meta({ description: 'Minor units, excluding VAT.' })),
              }),
            ),
          })
          .check(
            z.meta({
              description:
                "Priced from the session's own energy curve in the entity's local time; rounded once per session, half-even, to the minor unit. Null when no tariff applies.",
            }),
          ),
      ),
    }),
  })
  .check(z.meta({ id: 'ChargeSession' }));

export type ChargeSessionResource = z.output<typeof ChargeSessionResource>;

const round = roundTo;

/** Decimals of the kWh and kW values a session is served with (the README's figures follow it). */
export const ENERGY_DECIMALS = 4;

/** The DER-Connect shape of a stored session. */
export function toChargeSessionResource(session: ChargeSessionRecord): ChargeSessionResource {
  const range =
    session.rangeStartKm !== null || session.rangeEndKm !== null
      ? {
          ...(session.rangeStartKm !== null
            ? { start: { value: round(session.rangeStartKm, 4), unit: 'km' as const } }
            : {}),
          ...(session.rangeEndKm !== null
            ? { end: { value: round(session.rangeEndKm, 4), unit: 'km' as const } }
            : {}),
        }
      : undefined;
  return {
    id: session.id,
    entityId: session.entityId,
    created: session.created,
    data: {
      start: session.start,
      end: session.end,
      charge: {
        total: { total: round(session.energyKwh, ENERGY_DECIMALS), unit: 'kWh' },
        averagePower: { value: round(session.averagePowerKw, ENERGY_DECIMALS), unit: 'kW' },
        peakPower: { value: round(session.peakPowerKw, ENERGY_DECIMALS), unit: 'kW' },
        ...(session.socStartPercent !== null
          ? { start: { value: round(session.socStartPercent, 2), unit: '%' as const } }
          : {}),
        ...(session.socEndPercent !== null
          ? { end: { value: round(session.socEndPercent, 2), unit: '%' as const } }
          : {}),
      },
      ...(range ? { range } : {}),
      locationMatches: session.locationMatches,
      ...(session.position ? { location: session.position } : {}),
      method: session.method,
      source: session.source,
      chargingDuration: session.chargingSeconds,
      category: sessionCategory(session),
      cost: session.cost ?? null,
    },
  };
}
