// The charge session: the contract between the engine (which computes it), the daily job (which stores
// it), public charging (which measures it), the read API (which serves it in DER-Connect's shape) and the
// exports (Atlas, EV-ChART, Beckn, CSV). Pure types, schemas and mapping; no storage.

import * as z from 'zod/mini';
import { roundTo } from '../numbers.js';
import { boundedNumber } from '../schema.js';

export const SESSION_METHODS = ['energy_meter', 'power_flow', 'state_of_charge'] as const;
export type SessionMethod = (typeof SESSION_METHODS)[number];

/**
 * How the engine placed a session boundary (shared/engine/README.md): `data_edge` the first/last reading that
 * saw charging after/before a data gap or the window edge; `midpoint` the middle between the readings
 * either side; `metered` where the metered energy at the measured rate puts it; `rate_across_gap` where the
 * energy across a data gap at the rate on its far side puts it; `soc_rate` from the state of charge's rate;
 * `soc_cross_check` an edge whose state of charge did not rise, so within half a 1 % step of the charging
 * reading; `idle_wake` half a sampling interval from the charging reading after an idle silence (a car
 * waking to charge); `single_interval` charging seen in one interval of a cumulative signal: its middle half.
 */
export const BOUNDARY_RULES = [
  'data_edge',
  'midpoint',
  'metered',
  'rate_across_gap',
  'soc_rate',
  'soc_cross_check',
  'idle_wake',
  'single_interval',
] as const;
export type BoundaryRule = (typeof BOUNDARY_RULES)[number];

/** `measured` by a meter, `integrated` from power over time, `estimated` from state of charge × capacity. */
export const ENERGY_QUALITIES = ['measured', 'integrated', 'estimated'] as const;

/** How far a calculated session can be trusted. */
export interface SessionQuality {
  start: { rule: BoundaryRule; uncertaintySeconds: number };
  end: { rule: BoundaryRule; uncertaintySeconds: number };
  /** Intervals between readings longer than 45 min inside the session: how many and their length inside it. */
  gaps: { count: number; seconds: number };
  energy: (typeof ENERGY_QUALITIES)[number];
}

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
  /** Null for a public charger priced by its older `pricing` fields, which are no stored tariff. */
  tariffId: string | null;
  tariffVersion: number | null;
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
  /**
   * Energy that reached the battery (state of charge × capacity), next to `energyKwh` delivered; null when
   * unknown. Absent on sessions stored before it was computed.
   */
  batteryEnergyKwh?: number | null;
  /** batteryEnergyKwh / energyKwh when both are known from different signals; else null. */
  chargingEfficiency?: number | null;
  /** Calculated sessions: how boundaries and energy were obtained. Null on measured and older sessions. */
  quality?: SessionQuality | null;
  /** When this session was computed or recorded. */
  created: string;
  measured: MeasuredDetails | null;
  /** Set when the daily job stores a session; absent on sessions stored before costs existed. */
  category?: SessionCategory;
  /** Null when no tariff applies (never a made-up zero); absent as for `category`. */
  cost?: SessionCost | null;
  /**
   * `active`: still in progress, its end, energy and quality provisional (the real-time path's view as of
   * `asOf`); `completed`: final. Items stored without it are completed.
   */
  status?: SessionStatus;
  /** Active sessions: the instant the readings behind the provisional values reach (epoch ms as ISO 8601). */
  asOf?: string;
}

export const SESSION_STATUSES = ['active', 'completed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * Whether a session's quality is flagged, for a person to look at: its energy is only `estimated` (state of
 * charge × battery capacity, no meter or power reading behind it) or a data gap (> 45 min without readings)
 * lies inside it, so its boundaries or energy may be off. Sessions without quality (measured by a charger,
 * or calculated before quality was reported) are not flagged: there is nothing to judge them by.
 */
export function qualityFlagged(session: Pick<ChargeSessionRecord, 'quality'>): boolean {
  const quality = session.quality;
  return !!quality && (quality.energy === 'estimated' || quality.gaps.count > 0);
}

/** The category a session has: its stored one, else `public` for a charger-measured one, else `other`. */
export function sessionCategory(session: Pick<ChargeSessionRecord, 'category' | 'source'>): SessionCategory {
  return session.category ?? (session.source === 'measured' ? 'public' : 'other');
}

const Quantity = <U extends string>(unit: U) => z.object({ value: z.number(), unit: z.literal(unit) });

const BoundaryQuality = (which: string) =>
  z
    .object({
      rule: z.enum(BOUNDARY_RULES).check(
        z.meta({
          description:
            'How it was placed: data_edge (first/last reading seeing charging at a data gap or window edge), midpoint (between the readings either side), metered (metered energy at the measured rate), rate_across_gap (energy across a data gap at the rate beside it), soc_rate (state-of-charge rate), soc_cross_check (the state of charge did not rise over the interval: within half a 1 % step of the charging reading), idle_wake (half a sampling interval from the charging reading after an idle silence), single_interval (charging seen in one interval of a cumulative signal: its middle half).',
        }),
      ),
      uncertaintySeconds: z.number().check(
        z.meta({
          description: `The largest error the ${which} can have: its distance to the farther of the readings either side of it.`,
        }),
      ),
    })
    .check(z.meta({ description: `How the session's ${which} was placed.` }));

const SessionQualityResource = z
  .object({
    start: BoundaryQuality('start'),
    end: BoundaryQuality('end'),
    gaps: z.object({ count: z.number(), seconds: z.number() }).check(
      z.meta({
        description:
          'Data gaps (more than 45 min between readings) inside the session: how many, and their length inside it.',
      }),
    ),
    energy: z.enum(ENERGY_QUALITIES).check(
      z.meta({
        description:
          'measured by an energy meter, integrated from power readings over time, or estimated from state of charge × battery capacity.',
      }),
    ),
  })
  .check(
    z.meta({
      description:
        'How far a calculated session can be trusted. Absent on sessions a charger measured and on sessions calculated before it was reported.',
    }),
  );

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
        battery: z.optional(z.object({ total: z.number(), unit: z.literal('kWh') })).check(
          z.meta({
            description:
              'Energy that reached the battery: the state of charge rise × the battery capacity. `total` is the energy delivered (meter, else power, else this); chargers lose 5-15 % between them.',
          }),
        ),
        efficiency: z.optional(z.number()).check(
          z.meta({
            description:
              'battery / total, when both come from different signals and the state of charge rose at least 10 points (whole-percent steps make smaller rises too coarse).',
          }),
        ),
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
            tariffId: z.nullable(z.string()).check(
              z.meta({
                description:
                  "The tariff that priced the session; null for a public charger priced by its registration's `pricing` (no stored tariff).",
              }),
            ),
            tariffVersion: z.nullable(z.int()),
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
      quality: z.optional(SessionQualityResource),
      status: z.enum(SESSION_STATUSES).check(
        z.meta({
          description:
            '`completed`: final. `active`: still charging or plugged in; listed only with `status=active` or `status=all`.',
        }),
      ),
      provisional: z.boolean().check(
        z.meta({
          description:
            'True on an active session: its end, charge (energy, power, state of charge), chargingDuration, cost and quality are as far as the readings reach (`asOf`) and will change; its start can still move within quality.start.uncertaintySeconds, its id does not. False on a completed session.',
        }),
      ),
      asOf: z.optional(z.iso.datetime()).check(
        z.meta({
          description: 'Active sessions only: the instant the readings behind the provisional values reach.',
        }),
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
        ...(session.batteryEnergyKwh != null
          ? { battery: { total: round(session.batteryEnergyKwh, 4), unit: 'kWh' as const } }
          : {}),
        ...(session.chargingEfficiency != null ? { efficiency: round(session.chargingEfficiency, 4) } : {}),
      },
      ...(range ? { range } : {}),
      locationMatches: session.locationMatches,
      ...(session.position ? { location: session.position } : {}),
      method: session.method,
      source: session.source,
      chargingDuration: session.chargingSeconds,
      category: sessionCategory(session),
      cost: session.cost ?? null,
      ...(session.quality ? { quality: session.quality } : {}),
      status: session.status ?? 'completed',
      provisional: session.status === 'active',
      ...(session.status === 'active' && session.asOf ? { asOf: session.asOf } : {}),
    },
  };
}
