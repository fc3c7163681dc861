// The readings area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { PageLinks, PageMeta, pageQueryFields, pageSizeParameter } from '../http/pagination.js';
import { boundedNumber, rfc3339DateTime } from '../schema.js';
import { instantParameter } from '../sessions/query.js';

/** Readings per POST: a day of one-minute telemetry in one request, and a body Lambda parses in milliseconds. */
export const MAX_READINGS_PER_REQUEST = 1000;

/**
 * The largest POST body: 1,000 readings with every field, full-precision numbers and an offset timestamp
 * are about 300 KB compact and under 600 KB pretty-printed; 1 MiB leaves room without letting a request
 * hold much more than its 1,000 readings.
 */
export const READINGS_BODY_LIMIT_BYTES = 1024 * 1024;

/** Readings per GET page: the default keeps pages small; the maximum matches a POST. */
export const DEFAULT_READINGS_PAGE_SIZE = 100;
export const MAX_READINGS_PAGE_SIZE = 1000;

/**
 * Plausibility bounds. Power: the Megawatt Charging System tops out at 3.75 MW, and negative power
 * (discharge, V2G) is accepted up to the same magnitude. Energy: a lifetime register of a busy DC site
 * stays far below 10⁹ kWh. Range and odometer: beyond any vehicle.
 */
export const READING_BOUNDS = {
  powerKw: 4_000,
  energyKwh: 1e9,
  rangeKm: 5_000,
  odometerKm: 1e7,
} as const;

/** A field that is null or left out was not measured in this reading. */
const measured = <T extends z.core.SomeType>(schema: T) => z.nullish(schema);

const Location = z
  .strictObject({
    lat: boundedNumber(-90, 90).check(z.meta({ description: 'WGS 84 latitude, degrees.' })),
    lon: boundedNumber(-180, 180).check(z.meta({ description: 'WGS 84 longitude, degrees.' })),
  })
  .check(z.meta({ id: 'ReadingLocation' }));

const MEASUREMENTS = [
  'soc',
  'powerKw',
  'energyKwh',
  'rangeKm',
  'isPluggedIn',
  'isCharging',
  'location',
  'odometerKm',
] as const;

export const ReadingInput = z
  .strictObject({
    timestamp: rfc3339DateTime().check(
      z.meta({
        description:
          'When the entity measured this, RFC 3339 with seconds and an offset or Z (`t` and `z` may be lower case). Stored at millisecond precision (finer digits are dropped); one reading per entity per instant.',
        example: '2026-01-05T13:45:00+01:00',
      }),
    ),
    soc: measured(boundedNumber(0, 100)).check(z.meta({ description: 'State of charge, percent 0–100.' })),
    powerKw: measured(boundedNumber(-READING_BOUNDS.powerKw, READING_BOUNDS.powerKw)).check(
      z.meta({
        description: `Instantaneous power in kW, positive into the vehicle; |powerKw| ≤ ${READING_BOUNDS.powerKw}.`,
      }),
    ),
    energyKwh: measured(boundedNumber(0, READING_BOUNDS.energyKwh)).check(
      z.meta({ description: 'Cumulative energy register in kWh (a meter reading, not a delta).' }),
    ),
    rangeKm: measured(boundedNumber(0, READING_BOUNDS.rangeKm)).check(
      z.meta({ description: 'Estimated remaining range in km.' }),
    ),
    isPluggedIn: measured(z.boolean()),
    isCharging: measured(z.boolean()),
    location: measured(Location),
    odometerKm: measured(boundedNumber(0, READING_BOUNDS.odometerKm)),
  })
  .check(
    z.refine((r) => MEASUREMENTS.some((field) => r[field] !== undefined && r[field] !== null), {
      message: `A reading needs at least one measurement besides its timestamp: ${MEASUREMENTS.join(', ')}.`,
      params: { code: 'no_measurement' },
    }),
    z.meta({
      id: 'ReadingInput',
      // The refine above, for generated clients and fuzzers: one measurement present and not null.
      anyOf: MEASUREMENTS.map((field) => ({
        required: [field],
        properties: { [field]: { not: { type: 'null' } } },
      })),
    }),
  );

export type ReadingInput = z.output<typeof ReadingInput>;

export const IngestReadingsBody = z
  .strictObject({
    readings: z
      .array(ReadingInput)
      .check(
        z.minLength(1),
        z.maxLength(MAX_READINGS_PER_REQUEST),
        z.meta({ description: `1–${MAX_READINGS_PER_REQUEST} readings, in any order.` }),
      ),
  })
  .check(z.meta({ id: 'IngestReadingsRequest' }));

/** A count in the ingest result. */
const count = (description: string) => z.number().check(z.int(), z.meta({ description }));

export const IngestResult = z
  .object({
    received: count('Readings in the request.'),
    accepted: count('Readings stored by this request.'),
    duplicates: count(
      'Readings not stored because one with the same timestamp was already stored (or came earlier in this request): the first one stored wins.',
    ),
    conflicts: count(
      'Of the duplicates, those whose values differ from the stored reading; the stored values were kept.',
    ),
    late: count(
      'Of the accepted readings, those older than the point the session engine has already processed for this entity: they are stored and served, but no longer change its charge sessions.',
    ),
  })
  .check(z.meta({ id: 'IngestReadingsResult' }));

export type IngestResult = z.output<typeof IngestResult>;

export const Reading = z
  .object({
    timestamp: z.iso.datetime().check(z.meta({ description: 'UTC, millisecond precision.' })),
    soc: z.optional(z.number()),
    powerKw: z.optional(z.number()),
    energyKwh: z.optional(z.number()),
    rangeKm: z.optional(z.number()),
    isPluggedIn: z.optional(z.boolean()),
    isCharging: z.optional(z.boolean()),
    location: z.optional(z.object({ lat: z.number(), lon: z.number() })).check(
      z.meta({
        description:
          'Only for tenants that opted in to exact locations (privacy by default); otherwise left out even when it was sent.',
      }),
    ),
    odometerKm: z.optional(z.number()),
  })
  .check(z.meta({ id: 'Reading' }));

export type ReadingResource = z.output<typeof Reading>;

export const ReadingPage = z
  .object({ data: z.array(Reading), links: PageLinks, meta: PageMeta })
  .check(z.meta({ id: 'ReadingPage' }));

export const ListReadingsQuery = z
  .strictObject({
    start: instantParameter(
      'Readings measured at or after this instant (inclusive). RFC 3339 with seconds and an offset or Z; a `+` must be percent-encoded.',
      '2026-01-05T00:00:00Z',
    ),
    end: z.optional(
      instantParameter(
        'Readings measured before this instant (exclusive). Optional.',
        '2026-01-06T00:00:00Z',
      ),
    ),
    pageSize: pageSizeParameter(
      MAX_READINGS_PAGE_SIZE,
      DEFAULT_READINGS_PAGE_SIZE,
      `Readings per page, 1–${MAX_READINGS_PAGE_SIZE}, default ${DEFAULT_READINGS_PAGE_SIZE}.`,
    ),
    continuationToken: pageQueryFields.continuationToken,
  })
  .check(
    z.superRefine((query, ctx) => {
      if (query.end !== undefined && Date.parse(query.end) <= Date.parse(query.start)) {
        ctx.addIssue({
          code: 'custom',
          path: ['end'],
          message: `end (${query.end}) must be after start (${query.start}); end is exclusive.`,
          params: { code: 'invalid_range' },
        });
      }
    }),
  );

export type ListReadingsQuery = z.output<typeof ListReadingsQuery>;
