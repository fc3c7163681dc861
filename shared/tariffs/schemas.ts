// The tariffs area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { isKnownCurrency } from '../money.js';
import { isCalendarDate } from '../rollups/calendar.js';
import { boundedInt, boundedNumber, rfc3339DateTime, trimmedString, uuidString } from '../schema.js';
import { DAYS_OF_WEEK, minutesOfDay, PRICE_COMPONENT_TYPES } from './model.js';

/** Far above any real tariff; bounds what one item holds (20 × 4 components ≈ 8 KB). */
export const MAX_TARIFF_ELEMENTS = 20;
/** One upload of dynamic prices: a month of 15-minute day-ahead prices is 2,976. */
export const MAX_PRICE_POINTS = 3_000;
/** A price point is at least a minute and at most a day (day-ahead markets publish 15 min to 1 h). */
export const MIN_PRICE_POINT_MS = 60_000;
export const MAX_PRICE_POINT_MS = 24 * 3_600_000;

/** A price in major units: non-negative, at most six decimals (so a price never hides binary noise). */
const price = boundedNumber(0, 1_000_000).check(
  z.refine((v: number) => Number(v.toFixed(6)) === v, {
    message: 'At most six decimals.',
    params: { code: 'too_precise' },
  }),
);

const hhmm = z.string().check(
  z.refine((v: string) => minutesOfDay(v) !== null, {
    message: 'Expected local time HH:MM, 00:00–23:59.',
    params: { code: 'invalid_time' },
  }),
  z.meta({ example: '23:00' }),
);

const calendarDate = z.string().check(
  z.maxLength(10),
  z.refine(isCalendarDate, {
    message: 'Expected a calendar date YYYY-MM-DD.',
    params: { code: 'invalid_date' },
  }),
);

export const TariffCurrency = z.string().check(
  z.refine(isKnownCurrency, {
    message: 'Not an ISO 4217 currency code with a minor unit.',
    params: { code: 'unknown_currency' },
  }),
  z.meta({ description: 'ISO 4217 currency code.', example: 'EUR' }),
);

export const PriceComponentSchema = z.strictObject({
  type: z.enum(PRICE_COMPONENT_TYPES).check(
    z.meta({
      description:
        'ENERGY per kWh; TIME per hour while energy flows; PARKING_TIME per hour plugged in without energy; FLAT per session.',
    }),
  ),
  price: price.check(
    z.meta({ description: 'Major units of the currency, excluding VAT (OCPI).', example: 0.25 }),
  ),
  vat: z.optional(boundedNumber(0, 100).check(z.meta({ description: 'VAT percentage.', example: 21 }))),
  stepSize: z.optional(
    boundedInt(1, 1_000_000).check(
      z.meta({
        description:
          "Wh for ENERGY, seconds for TIME and PARKING_TIME: the session's quantity is billed in whole steps.",
      }),
    ),
  ),
});

export const TariffRestrictionsSchema = z
  .strictObject({
    startTime: z.optional(hhmm),
    endTime: z.optional(hhmm),
    startDate: z.optional(calendarDate),
    endDate: z.optional(calendarDate),
    daysOfWeek: z.optional(z.array(z.enum(DAYS_OF_WEEK)).check(z.minLength(1), z.maxLength(7))),
    minKwh: z.optional(boundedNumber(0, 100_000)),
    maxKwh: z.optional(boundedNumber(0, 100_000)),
    minPowerKw: z.optional(boundedNumber(0, 10_000)),
    maxPowerKw: z.optional(boundedNumber(0, 10_000)),
  })
  .check(
    z.superRefine((r, ctx) => {
      if (r.startTime !== undefined && r.startTime === r.endTime) {
        ctx.addIssue({
          code: 'custom',
          path: ['endTime'],
          message: 'endTime equal to startTime is an empty band; omit both for all day.',
          params: { code: 'empty_range' },
        });
      }
      for (const [lo, hi] of [
        ['startDate', 'endDate'],
        ['minKwh', 'maxKwh'],
        ['minPowerKw', 'maxPowerKw'],
      ] as const) {
        const a = r[lo];
        const b = r[hi];
        if (a !== undefined && b !== undefined && !(a < b)) {
          ctx.addIssue({
            code: 'custom',
            path: [hi],
            message: `${hi} must be after ${lo} (the range is ${lo} inclusive to ${hi} exclusive).`,
            params: { code: 'empty_range' },
          });
        }
      }
    }),
    z.meta({
      description:
        "All given must hold. Times and dates are local to the entity's time zone; an endTime before startTime crosses midnight. Lower bounds inclusive, upper exclusive.",
    }),
  );

export const TariffElementSchema = z.strictObject({
  priceComponents: z.array(PriceComponentSchema).check(z.minLength(1), z.maxLength(4)),
  restrictions: z.optional(TariffRestrictionsSchema),
});

const tariffFields = {
  name: trimmedString(1, 100).check(z.meta({ example: 'Home, off-peak at night' })),
  currency: TariffCurrency,
  elements: z.array(TariffElementSchema).check(z.minLength(1), z.maxLength(MAX_TARIFF_ELEMENTS)),
};

export const CreateTariffBody = z.strictObject(tariffFields).check(z.meta({ id: 'CreateTariffRequest' }));
export type CreateTariffInput = z.output<typeof CreateTariffBody>;

export const UpdateTariffBody = z
  .strictObject({
    name: z.optional(tariffFields.name),
    currency: z.optional(tariffFields.currency),
    elements: z.optional(tariffFields.elements),
  })
  .check(z.meta({ id: 'UpdateTariffRequest' }));
export type UpdateTariffInput = z.output<typeof UpdateTariffBody>;

export const Tariff = z
  .object({
    id: z.uuid(),
    version: z
      .int()
      .check(z.meta({ description: 'Starts at 1; every edit adds one. Sessions keep theirs.' })),
    name: z.string(),
    currency: z.string(),
    elements: z.array(TariffElementSchema),
    created: z.iso.datetime(),
    updated: z.iso.datetime(),
  })
  .check(z.meta({ id: 'Tariff' }));
export type TariffResource = z.output<typeof Tariff>;

export const TariffPage = pageSchema(Tariff, 'TariffPage');

export const TariffIdParams = z.strictObject({
  tariffId: uuidString('a tariff id').check(z.meta({ description: 'The tariff id (a UUID).' })),
});

export const TariffVersionParams = z.strictObject({
  tariffId: uuidString('a tariff id').check(z.meta({ description: 'The tariff id (a UUID).' })),
  version: z.string().check(z.regex(/^[1-9]\d{0,8}$/), z.meta({ description: 'A version number, from 1.' })),
});

export const ListTariffsQuery = z.strictObject({ ...pageQueryFields });

// Read with the house RFC 3339 parser, as readings are: lower-case `t`/`z` and any offset mean the same
// instant everywhere in the API.
export const PricePointSchema = z.strictObject({
  start: rfc3339DateTime(),
  end: rfc3339DateTime(),
  price: price.check(z.meta({ description: 'ENERGY price, major units per kWh excluding VAT.' })),
});

export const PutPricesBody = z
  .strictObject({
    prices: z.array(PricePointSchema).check(z.minLength(1), z.maxLength(MAX_PRICE_POINTS)),
  })
  .check(z.meta({ id: 'DynamicPricesRequest' }));
export type PutPricesInput = z.output<typeof PutPricesBody>;

export const DynamicPrices = z
  .object({
    tariffId: z.uuid(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    prices: z.array(z.object({ start: z.iso.datetime(), end: z.iso.datetime(), price: z.number() })),
  })
  .check(z.meta({ id: 'DynamicPrices' }));

export const PricesQuery = z.strictObject({
  from: rfc3339DateTime().check(z.meta({ description: 'Inclusive.' })),
  to: rfc3339DateTime().check(z.meta({ description: 'Exclusive; at most 31 days after from.' })),
});
