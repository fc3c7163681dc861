// Use cases of the locations area: each takes the calling tenant, its input and the time. Unknown ids and
// other tenants' ids are the same 404.

import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import type { LocationRecord } from '../storage/locations.js';
import * as store from '../storage/locations.js';
import type { Position } from '../storage/page.js';
import { type CreateLocationInput, type LocationResource, MAX_LOCATIONS_PER_TENANT } from './schemas.js';

export function locationNotFound(locationId: string): NotFoundError {
  return new NotFoundError('location_not_found', `No location with id '${locationId}' exists.`);
}

export function toLocationResource(location: LocationRecord): LocationResource {
  return {
    id: location.id,
    label: location.label,
    lat: location.lat,
    lon: location.lon,
    radiusMeters: location.radiusMeters,
    category: location.category,
    tariffId: location.tariffId,
    created: location.created,
  };
}

/**
 * Adds a location. The cap is checked by counting first: two creates racing at the cap may both pass,
 * which overshoots it by at most the number racing, harmlessly (it bounds cost, not correctness).
 */
export async function createLocation(
  tenantId: string,
  input: CreateLocationInput,
  now: Date,
): Promise<LocationRecord> {
  if ((await store.countLocations(tenantId)) >= MAX_LOCATIONS_PER_TENANT) {
    throw new ConflictError(
      'location_limit_reached',
      `A tenant can have at most ${MAX_LOCATIONS_PER_TENANT} locations; delete one first.`,
      { extensions: { limit: MAX_LOCATIONS_PER_TENANT } },
    );
  }
  const location: LocationRecord = {
    tenantId,
    id: uuidv7(now.getTime()),
    ...input,
    tariffId: input.tariffId ?? null,
    created: now.toISOString(),
  };
  if (!(await store.putNewLocation(location))) {
    throw new ValidationError('validation_failed', `No tariff with id '${input.tariffId}' exists.`, {
      errors: [
        { in: 'body', field: 'tariffId', code: 'unknown_tariff', message: 'No tariff with this id exists.' },
      ],
    });
  }
  return location;
}

export async function getLocation(tenantId: string, locationId: string): Promise<LocationRecord> {
  const location = isUuid(locationId) ? await store.getLocation(tenantId, locationId) : undefined;
  if (!location) throw locationNotFound(locationId);
  return location;
}

/** Sessions already matched to it keep their match (id and label); new sessions no longer match it. */
export async function deleteLocation(tenantId: string, locationId: string): Promise<void> {
  if (!isUuid(locationId) || !(await store.deleteLocation(tenantId, locationId))) {
    throw locationNotFound(locationId);
  }
}

export function listLocations(tenantId: string, page: { pageSize: number; startKey: Position | undefined }) {
  return store.listLocations(tenantId, page);
}
