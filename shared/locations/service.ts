// Use cases of the locations area: each takes the calling tenant, its input and the time. Unknown ids and
// other tenants' ids are the same 404.

import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import type { LocationRecord } from '../storage/locations.js';
import * as store from '../storage/locations.js';
import type { Position } from '../storage/page.js';
import {
  type CreateLocationInput,
  type LocationResource,
  MAX_LOCATIONS_PER_TENANT,
  type UpdateLocationInput,
} from './schemas.js';

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
  if (!(await store.putNewLocation(location))) throw unknownTariff(input.tariffId);
  return location;
}

function unknownTariff(tariffId: string | null | undefined): ValidationError {
  return new ValidationError('validation_failed', `No tariff with id '${tariffId}' exists.`, {
    errors: [
      { in: 'body', field: 'tariffId', code: 'unknown_tariff', message: 'No tariff with this id exists.' },
    ],
  });
}

/** A location edit races another edit of its tariff this often before the caller is told to retry. */
const EDIT_ATTEMPTS = 3;

/**
 * Changes the fields given. A new tariff is counted as referenced before the location names it, and the
 * old one released after (shared/storage/locations.ts), so a tariff is never deletable while named.
 */
export async function updateLocation(
  tenantId: string,
  locationId: string,
  input: UpdateLocationInput,
): Promise<LocationRecord> {
  for (let attempt = 0; attempt < EDIT_ATTEMPTS; attempt++) {
    const current = await getLocation(tenantId, locationId);
    const outcome = await store.updateLocation(current, input);
    if (outcome === 'unknown_tariff') throw unknownTariff(input.tariffId);
    if (outcome !== 'conflict') return outcome;
  }
  throw new ConflictError(
    'location_edit_conflict',
    "The location's tariff is being changed by another request; send the edit again.",
  );
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
