// Location matching: the accuracy curve, the exclusion beyond two radii, and the ordering of matches.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  distanceMeters,
  MATCH_EXCLUSION_RADII,
  matchAccuracy,
  matchLocations,
  type TenantLocation,
} from '../../shared/locations/match.js';

/** A point `meters` north of (lat, lon). */
const north = (lat: number, lon: number, meters: number) => ({ lat: lat + meters / 111_194.93, lon });

describe('distanceMeters', () => {
  it('measures great-circle distance', () => {
    expect(distanceMeters({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195, -1);
    expect(distanceMeters({ lat: 52.37, lon: 4.89 }, { lat: 52.37, lon: 4.89 })).toBe(0);
    // Amsterdam Centraal → Rotterdam Centraal, checked against the spherical law of cosines.
    const a = { lat: 52.3791, lon: 4.9003 };
    const b = { lat: 51.925, lon: 4.4686 };
    const r = Math.PI / 180;
    const cosines =
      Math.acos(
        Math.sin(a.lat * r) * Math.sin(b.lat * r) +
          Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.cos((b.lon - a.lon) * r),
      ) * 6_371_008.8;
    expect(distanceMeters(a, b)).toBeCloseTo(cosines, 0);
    expect(cosines / 1000).toBeCloseTo(58.46, 1);
  });
});

describe('matchAccuracy', () => {
  it('is 1 at the centre, 0.5 at the radius and 0 from two radii out', () => {
    expect(matchAccuracy(0, 100)).toBe(1);
    expect(matchAccuracy(100, 100)).toBeCloseTo(0.5, 12);
    expect(matchAccuracy(20, 100)).toBeCloseTo(0.976, 3); // GPS jitter of a parked car barely matters
    expect(matchAccuracy(199, 100)).toBeGreaterThan(0);
    expect(matchAccuracy(200, 100)).toBe(0);
    expect(matchAccuracy(5_000, 100)).toBe(0);
    expect(MATCH_EXCLUSION_RADII).toBe(2);
  });

  it('falls monotonically with distance and stays within [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        fc.double({ min: 1, max: 2_000, noNaN: true }),
        (a, b, radius) => {
          const [near, far] = a <= b ? [a, b] : [b, a];
          const x = matchAccuracy(near, radius);
          const y = matchAccuracy(far, radius);
          expect(x).toBeGreaterThanOrEqual(y);
          expect(x >= 0 && x <= 1 && y >= 0 && y <= 1).toBe(true);
        },
      ),
    );
  });

  it('treats a radius below GPS accuracy as 5 m', () => {
    expect(matchAccuracy(5, 0)).toBeCloseTo(0.5, 12);
  });
});

describe('matchLocations', () => {
  const at = { lat: 52.37, lon: 4.89 };
  const loc = (id: string, meters: number, radiusMeters: number): TenantLocation => ({
    id,
    label: id.toUpperCase(),
    ...north(at.lat, at.lon, meters),
    radiusMeters,
  });

  it('lists matches best first, rounds accuracy to 3 decimals and excludes places beyond two radii', () => {
    const matches = matchLocations(at, [
      loc('far', 350, 200),
      loc('home', 10, 75),
      loc('out', 300, 100),
      loc('edge', 150, 150),
      loc('gone', 500, 200),
    ]);
    expect(matches.map((m) => m.location.id)).toEqual(['home', 'edge', 'far']);
    expect(matches[0]).toEqual({ accuracy: 0.989, location: { id: 'home', label: 'HOME' } });
    expect(matches[1]!.accuracy).toBe(0.5);
    expect(matches[2]!.accuracy).toBe(0.038);
  });

  it('orders ties by location id so the list is deterministic', () => {
    const matches = matchLocations(at, [loc('b', 0, 50), loc('a', 0, 50)]);
    expect(matches.map((m) => m.location.id)).toEqual(['a', 'b']);
  });

  it('returns nothing without locations', () => {
    expect(matchLocations(at, [])).toEqual([]);
  });
});
