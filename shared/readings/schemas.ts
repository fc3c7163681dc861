// The readings area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod';
import { PageLinks, PageMeta } from '../http/pagination.js';
import { DATE_TIME_HINT, parseInstant } from '../sessions/query.js';

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
const measured = <T extends z.ZodType>(schema: T) => schema.nullish();

const Location = z
  .strictObject({
    lat: z.number().min(-90).max(90).meta({ description: 'WGS 84 latitude, degrees.' }),
    lon: z.number().min(-180).max(180).meta({ description: 'WGS 84 longitude, degrees.' }),
  })
  .meta({ id: 'ReadingLocation' });

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
    timestamp: z.iso.datetime({ offset: true }).meta({
      description:
        'When the entity measured this, RFC 3339 with seconds and an offset or Z. Stored at millisecond precision (finer digits are dropped); one reading per entity per instant.',
      example: '2026-01-05T13:45:00+01:00',
    }),
    soc: measured(z.number().min(0).max(100)).meta({ description: 'State of charge, percent 0–100.' }),
    powerKw: measured(z.number().min(-READING_BOUNDS.powerKw).max(READING_BOUNDS.powerKw)).meta({
      description: `Instantaneous power in kW, positive into the vehicle; |powerKw| ≤ ${READING_BOUNDS.powerKw}.`,
    }),
    energyKwh: measured(z.number().min(0).max(READING_BOUNDS.energyKwh)).meta({
      description: 'Cumulative energy register in kWh (a meter reading, not a delta).',
    }),
    rangeKm: measured(z.number().min(0).max(READING_BOUNDS.rangeKm)).meta({
      description: 'Estimated remaining range in km.',
    }),
    isPluggedIn: measured(z.boolean()),
    isCharging: measured(z.boolean()),
    location: measured(Location),
    odometerKm: measured(z.number().min(0).max(READING_BOUNDS.odometerKm)),
  })
  .refine((r) => MEASUREMENTS.some((field) => r[field] !== undefined && r[field] !== null), {
    message: `A reading needs at least one measurement besides its timestamp: ${MEASUREMENTS.join(', ')}.`,
    params: { code: 'no_measurement' },
  })
  .meta({ id: 'ReadingInput' });

export type ReadingInput = z.output<typeof ReadingInput>;

export const IngestReadingsBody = z
  .strictObject({
    readings: z
      .array(ReadingInput)
      .min(1)
      .max(MAX_READINGS_PER_REQUEST)
      .meta({ description: `1–${MAX_READINGS_PER_REQUEST} readings, in any order.` }),
  })
  .meta({ id: 'IngestReadingsRequest' });

export const IngestResult = z
  .object({
    received: z.number().int().meta({ description: 'Readings in the request.' }),
    accepted: z.number().int().meta({ description: 'Readings stored by this request.' }),
    duplicates: z.number().int().meta({
      description:
        'Readings not stored because one with the same timestamp was already stored (or came earlier in this request): the first one stored wins.',
    }),
    conflicts: z.number().int().meta({
      description:
        'Of the duplicates, those whose values differ from the stored reading; the stored values were kept.',
    }),
    late: z.number().int().meta({
      description:
        'Of the accepted readings, those older than the point the session engine has already processed for this entity: they are stored and served, but no longer change its charge sessions.',
    }),
  })
  .meta({ id: 'IngestReadingsResult' });

export type IngestResult = z.output<typeof IngestResult>;

export const Reading = z
  .object({
    timestamp: z.iso.datetime().meta({ description: 'UTC, millisecond precision.' }),
    soc: z.number().optional(),
    powerKw: z.number().optional(),
    energyKwh: z.number().optional(),
    rangeKm: z.number().optional(),
    isPluggedIn: z.boolean().optional(),
    isCharging: z.boolean().optional(),
    location: z.object({ lat: z.number(), lon: z.number() }).optional().meta({
      description:
        'Only for tenants that opted in to exact locations (privacy by default); otherwise left out even when it was sent.',
    }),
    odometerKm: z.number().optional(),
  })
  .meta({ id: 'Reading' });

export type ReadingResource = z.output<typeof Reading>;

export const ReadingPage = z
  .object({ data: z.array(Reading), links: PageLinks, meta: PageMeta })
  .meta({ id: 'ReadingPage' });

function instant(description: string, example: string) {
  return z
    .string()
    .max(64)
    .transform((text, ctx) => {
      const value = parseInstant(text);
      if (value === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `Expected ${DATE_TIME_HINT}.`,
          params: { code: 'invalid_datetime' },
        });
        return z.NEVER;
      }
      return value;
    })
    .meta({ format: 'date-time', description, example });
}

export const ListReadingsQuery = z
  .strictObject({
    start: instant(
      'Readings measured at or after this instant (inclusive). RFC 3339 with seconds and an offset or Z; a `+` must be percent-encoded.',
      '2026-01-05T00:00:00Z',
    ),
    end: instant(
      'Readings measured before this instant (exclusive). Optional.',
      '2026-01-06T00:00:00Z',
    ).optional(),
    pageSize: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_READINGS_PAGE_SIZE)
      .default(DEFAULT_READINGS_PAGE_SIZE)
      .meta({
        description: `Readings per page, 1–${MAX_READINGS_PAGE_SIZE}, default ${DEFAULT_READINGS_PAGE_SIZE}.`,
      }),
    continuationToken: z
      .string()
      .max(4096)
      .optional()
      .meta({ description: 'The `meta.continuationToken` of the previous page, unchanged.' }),
  })
  .superRefine((query, ctx) => {
    if (query.end !== undefined && Date.parse(query.end) <= Date.parse(query.start)) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `end (${query.end}) must be after start (${query.start}); end is exclusive.`,
        params: { code: 'invalid_range' },
      });
    }
  });

export type ListReadingsQuery = z.output<typeof ListReadingsQuery>;
