// The locations area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { COORDINATE_DECIMALS, roundTo } from '../numbers.js';
import { MIN_RADIUS_METERS } from './match.js';

/** Beyond this a "place" is a district: matching a session to it would say nothing useful. */
export const MAX_RADIUS_METERS = 10_000;

/**
 * Every session of every entity of the tenant is matched against all its locations, and the daily job
 * loads them all once per entity: a cap keeps both bounded (1,000 places ≈ 150 KB, one Query page).
 */
export const MAX_LOCATIONS_PER_TENANT = 1_000;

export const CreateLocationBody = z
  .strictObject({
    label: z.string().trim().min(1).max(100).meta({ example: 'Home' }),
    lat: z
      .number()
      .min(-90)
      .max(90)
      .transform((v) => roundTo(v, COORDINATE_DECIMALS))
      .meta({
        description: 'WGS 84 latitude of the centre, degrees (stored to 7 decimals, ~1 cm).',
        example: 52.3702,
      }),
    lon: z
      .number()
      .min(-180)
      .max(180)
      .transform((v) => roundTo(v, COORDINATE_DECIMALS))
      .meta({
        description: 'WGS 84 longitude of the centre, degrees (stored to 7 decimals, ~1 cm).',
        example: 4.8952,
      }),
    radiusMeters: z
      .number()
      .min(MIN_RADIUS_METERS)
      .max(MAX_RADIUS_METERS)
      .transform((v) => roundTo(v, 2))
      .meta({
        description: `The place's extent, ${MIN_RADIUS_METERS}–${MAX_RADIUS_METERS} m. A session inside it matches with accuracy ≥ 0.5 (1 at the centre); one beyond two radii does not match.`,
        example: 75,
      }),
  })
  .meta({ id: 'CreateLocationRequest' });

export type CreateLocationInput = z.output<typeof CreateLocationBody>;

export const Location = z
  .object({
    id: z.uuid(),
    label: z.string(),
    lat: z.number(),
    lon: z.number(),
    radiusMeters: z.number(),
    created: z.iso.datetime(),
  })
  .meta({ id: 'Location' });

export type LocationResource = z.output<typeof Location>;

export const LocationPage = pageSchema(Location, 'LocationPage');

export const LocationIdParams = z.strictObject({
  locationId: z.string().meta({ description: 'The location id (a UUID).' }),
});

export const ListLocationsQuery = z.strictObject({ ...pageQueryFields });
