// The daily-energy listing's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { EntityType, entityIdFilter } from '../entities/schemas.js';
import { pageQueryFields, pageSchema, pageSizeParameter } from '../http/pagination.js';
import { MAX_RANGE_DAYS } from '../sessions/query.js';
import { daysBetween, isCalendarDate } from './calendar.js';

/** The longest range (`end - start`), as for the session listings: an annual report over a leap year. */
export const DAILY_ENERGY_MAX_DAYS = MAX_RANGE_DAYS;
/**
 * Rollups per page. Larger than the other lists' 100: a rollup is ~200 bytes, and a dashboard charting a
 * month of a 1,000-vehicle fleet reads 30,000 of them. 1,000 items are one Query of ~200 KB.
 */
export const DAILY_ENERGY_MAX_PAGE_SIZE = 1000;
export const DAILY_ENERGY_DEFAULT_PAGE_SIZE = 100;

function dateParameter(description: string, example: string) {
  return z.string().check(
    z.maxLength(10),
    z.refine(isCalendarDate, {
      message: 'Expected a calendar date YYYY-MM-DD (e.g. 2026-01-31).',
      params: { code: 'invalid_date' },
    }),
    z.meta({ format: 'date', description, example }),
  );
}

export const DailyEnergyQuery = z
  .strictObject({
    start: dateParameter('The first day (inclusive), a local date in each entity’s time zone.', '2026-01-01'),
    end: dateParameter(
      `The day after the last (exclusive), at most ${DAILY_ENERGY_MAX_DAYS} days after start.`,
      '2026-02-01',
    ),
    entityId: entityIdFilter('days'),
    pageSize: pageSizeParameter(
      DAILY_ENERGY_MAX_PAGE_SIZE,
      DAILY_ENERGY_DEFAULT_PAGE_SIZE,
      `Days per page, 1–${DAILY_ENERGY_MAX_PAGE_SIZE}.`,
    ),
    continuationToken: pageQueryFields.continuationToken,
  })
  .check(
    z.superRefine((query, ctx) => {
      // Refinements run even when a field failed; a bad date has already been reported on its own.
      if (!isCalendarDate(query.start) || !isCalendarDate(query.end)) return;
      const span = daysBetween(query.start, query.end);
      if (span <= 0 || span > DAILY_ENERGY_MAX_DAYS) {
        ctx.addIssue({
          code: 'custom',
          path: ['end'],
          message:
            span <= 0
              ? `end (${query.end}) must be after start (${query.start}); end is exclusive.`
              : `The range from start to end may span at most ${DAILY_ENERGY_MAX_DAYS} days.`,
          params: { code: 'invalid_range' },
        });
      }
    }),
  );

export type DailyEnergyQuery = z.output<typeof DailyEnergyQuery>;

export const DailyEnergy = z
  .object({
    entityId: z.string(),
    entityType: EntityType,
    date: z.iso.date().check(z.meta({ description: 'The local date in the entity’s time zone.' })),
    timeZone: z.string().check(z.meta({ description: 'The IANA zone the day was computed in.' })),
    energy: z.object({ value: z.number().check(z.minimum(0)), unit: z.literal('kWh') }).check(
      z.meta({
        description: 'Energy charged on this day, sessions crossing midnight split by time share.',
      }),
    ),
    sessionCount: z
      .number()
      .check(z.int(), z.minimum(0), z.meta({ description: 'Sessions that started on this day.' })),
    chargingMinutes: z.number().check(
      z.minimum(0),
      z.meta({
        description: 'Minutes during which energy flowed on this day (split by time share as energy).',
      }),
    ),
    updated: z.iso.datetime().check(z.meta({ description: 'When these values were last computed.' })),
  })
  .check(z.meta({ id: 'DailyEnergy' }));

export type DailyEnergy = z.output<typeof DailyEnergy>;

export const DailyEnergyPage = pageSchema(DailyEnergy, 'DailyEnergyPage');
