// The locations area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { COORDINATE_DECIMALS, roundTo } from '../numbers.js';
import { boundedNumber, nameString, uuidString } from '../schema.js';
import { LOCATION_CATEGORIES } from '../storage/locations.js';
import { MIN_RADIUS_METERS } from './match.js';

/** Beyond this a "place" is a district: matching a session to it would say nothing useful. */
export const MAX_RADIUS_METERS = 10_000;

/**
 * Every session of every entity of the tenant is matched against all its locations, and the daily job
 * loads them all once per entity: a cap keeps both bounded (1,000 places ≈ 150 KB, one Query page).
 */
export const MAX_LOCATIONS_PER_TENANT = 1_000;

/** A number in `min`–`max`, stored rounded to `decimals`. */
const rounded = (min: number, max: number, decimals: number) =>
  z.pipe(
    boundedNumber(min, max),
    z.transform((v: number) => roundTo(v, decimals)),
  );

export const CreateLocationBody = z
  .strictObject({
    label: nameString(100).check(z.meta({ example: 'Home' })),
    lat: rounded(-90, 90, COORDINATE_DECIMALS).check(
      z.meta({
        description: 'WGS 84 latitude of the centre, degrees (stored to 7 decimals, ~1 cm).',
        example: 52.3702,
      }),
    ),
    lon: rounded(-180, 180, COORDINATE_DECIMALS).check(
      z.meta({
        description: 'WGS 84 longitude of the centre, degrees (stored to 7 decimals, ~1 cm).',
        example: 4.8952,
      }),
    ),
    radiusMeters: rounded(MIN_RADIUS_METERS, MAX_RADIUS_METERS, 2).check(
      z.meta({
        description: `The place's extent, ${MIN_RADIUS_METERS}–${MAX_RADIUS_METERS} m. A session inside it matches with accuracy ≥ 0.5 (1 at the centre); one beyond two radii does not match.`,
        example: 75,
      }),
    ),
    category: z._default(z.enum(LOCATION_CATEGORIES), 'other').check(
      z.meta({
        description:
          'What kind of place it is; a session matched to it (accuracy ≥ 0.5) gets this `category`, which the monthly report and reimbursement group by. Default `other`.',
      }),
    ),
    tariffId: z.optional(
      uuidString('a tariff id').check(
        z.meta({
          description: 'The tariff charged here: sessions matched to this place are priced with it.',
        }),
      ),
    ),
  })
  .check(z.meta({ id: 'CreateLocationRequest' }));

export type CreateLocationInput = z.output<typeof CreateLocationBody>;

/**
 * A location's edit: the fields given change, the others stay. `tariffId: null` takes the tariff off the
 * place. Sessions already computed keep their match, category and cost; later ones use the new values.
 */
export const UpdateLocationBody = z
  .strictObject({
    label: z.optional(CreateLocationBody.shape.label),
    lat: z.optional(CreateLocationBody.shape.lat),
    lon: z.optional(CreateLocationBody.shape.lon),
    radiusMeters: z.optional(CreateLocationBody.shape.radiusMeters),
    category: z.optional(z.enum(LOCATION_CATEGORIES)),
    tariffId: z.optional(
      z.nullable(
        uuidString('a tariff id').check(
          z.meta({ description: 'The tariff charged here; null: none (sessions fall back to the default).' }),
        ),
      ),
    ),
  })
  .check(z.meta({ id: 'UpdateLocationRequest' }));

export type UpdateLocationInput = z.output<typeof UpdateLocationBody>;

export const Location = z
  .object({
    id: z.uuid(),
    label: z.string(),
    lat: z.number(),
    lon: z.number(),
    radiusMeters: z.number(),
    category: z.enum(LOCATION_CATEGORIES),
    tariffId: z.nullable(z.uuid()),
    created: z.iso.datetime(),
  })
  .check(z.meta({ id: 'Location' }));

export type LocationResource = z.output<typeof Location>;

export const LocationPage = pageSchema(Location, 'LocationPage');

export const LocationIdParams = z.strictObject({
  locationId: uuidString('a location id').check(z.meta({ description: 'The location id (a UUID).' })),
});

export const ListLocationsQuery = z.strictObject({ ...pageQueryFields });
