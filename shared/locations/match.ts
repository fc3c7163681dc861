// Location matching: how well a charge position fits each of a tenant's named places (Home, Depot, …).
// The privacy-friendly alternative to exact coordinates: a session says "Home, 0.97" instead of lat/lon.
// Pure functions, no storage.

import type { LocationMatch } from '../sessions/model.js';

export interface TenantLocation {
  id: string;
  label: string;
  lat: number;
  lon: number;
  /** The place's extent: a position inside it matches with accuracy ≥ 0.5. */
  radiusMeters: number;
}

/**
 * Beyond this many radii a position is excluded rather than matched with a tiny accuracy: a car two
 * radii from "Home" is at the neighbour's, and a 0.01 match would only be noise in the list.
 */
export const MATCH_EXCLUSION_RADII = 2;

/** A radius below a few metres is below GPS accuracy; treat it as this so the curve stays meaningful. */
export const MIN_RADIUS_METERS = 5;

/** Accuracies are rounded to this many decimals so the list is stable and readable. */
const ACCURACY_DECIMALS = 3;

/** IUGG mean Earth radius; haversine error from the spherical model is < 0.5 %, far below GPS noise. */
const EARTH_RADIUS_METERS = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Accuracy of a match at `distance` from a place of `radius`: cos²(π·d / (4·r)). It is 1 at the centre,
 * flat near it (GPS jitter of a parked car barely moves it), 0.5 exactly at the radius, and falls smoothly
 * to 0 at MATCH_EXCLUSION_RADII radii, where the place is excluded.
 */
export function matchAccuracy(distance: number, radius: number): number {
  const r = Math.max(radius, MIN_RADIUS_METERS);
  if (!(distance >= 0) || distance >= MATCH_EXCLUSION_RADII * r) return 0;
  return Math.cos((Math.PI * distance) / (2 * MATCH_EXCLUSION_RADII * r)) ** 2;
}

/** The places that `point` matches, best first (ties by location id, so the order is deterministic). */
export function matchLocations(
  point: { lat: number; lon: number },
  locations: readonly TenantLocation[],
): LocationMatch[] {
  const matches: LocationMatch[] = [];
  const scale = 10 ** ACCURACY_DECIMALS;
  for (const location of locations) {
    const accuracy = Math.round(
      matchAccuracy(distanceMeters(point, location), location.radiusMeters) * scale,
    );
    if (accuracy > 0) {
      matches.push({ accuracy: accuracy / scale, location: { id: location.id, label: location.label } });
    }
  }
  matches.sort((a, b) =>
    b.accuracy !== a.accuracy
      ? b.accuracy - a.accuracy
      : a.location.id < b.location.id
        ? -1
        : a.location.id > b.location.id
          ? 1
          : 0,
  );
  return matches;
}
