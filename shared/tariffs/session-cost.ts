// Which tariff prices a session, and the session's category, pure. The daily job loads what this needs
// (the tenant's locations, cost settings, the tariffs they name and their dynamic prices) and calls it
// as it stores sessions, so a re-run computes the same cost.
//
// - The place: the session's best location match when it is inside the place (accuracy ≥ 0.5).
// - category: that place's category; else `other` (a public charger's measured sessions are `public`).
// - tariff: that place's tariff; else the tenant's default tariff; else none, and `cost: null`.

import type { Reading } from '../readings/model.js';
import type { ChargeSessionRecord, SessionCategory, SessionCost } from '../sessions/model.js';
import type { CostSettings } from '../storage/cost-settings.js';
import type { PricedLocation } from '../storage/locations.js';
import type { TariffRecord } from '../storage/tariffs.js';
import { sessionCurve } from './curve.js';
import type { PricePoint } from './model.js';
import { priceSession } from './pricing.js';

/** A match this good places the session inside the location's radius (shared/locations/match.ts). */
export const INSIDE_LOCATION_ACCURACY = 0.5;

export interface CostContext {
  locations: readonly PricedLocation[];
  settings: Pick<CostSettings, 'defaultTariffId'>;
  tariffs: ReadonlyMap<string, TariffRecord>;
  /** Dynamic prices per tariff id, covering the sessions being priced. */
  prices: ReadonlyMap<string, readonly PricePoint[]>;
}

/** The location a session happened at, if any. */
export function sessionPlace(
  session: Pick<ChargeSessionRecord, 'locationMatches'>,
  locations: readonly PricedLocation[],
): PricedLocation | undefined {
  const best = session.locationMatches[0];
  if (!best || best.accuracy < INSIDE_LOCATION_ACCURACY) return undefined;
  return locations.find((l) => l.id === best.location.id);
}

/** The tariff ids the sessions may need, so the caller loads just those. */
export function tariffIdsFor(
  sessions: readonly Pick<ChargeSessionRecord, 'locationMatches'>[],
  context: Pick<CostContext, 'locations' | 'settings'>,
): string[] {
  const ids = new Set<string>();
  for (const session of sessions) {
    const id = sessionPlace(session, context.locations)?.tariffId ?? context.settings.defaultTariffId;
    if (id) ids.add(id);
  }
  return [...ids];
}

export function withCost(
  session: ChargeSessionRecord,
  readings: readonly Reading[],
  entity: { timeZone: string; batteryCapacityKwh: number | null },
  context: CostContext,
): ChargeSessionRecord & { category: SessionCategory; cost: SessionCost | null } {
  const place = sessionPlace(session, context.locations);
  const category: SessionCategory = place?.category ?? (session.source === 'measured' ? 'public' : 'other');
  const tariffId = place?.tariffId ?? context.settings.defaultTariffId;
  const tariff = tariffId ? context.tariffs.get(tariffId) : undefined;
  if (!tariff) return { ...session, category, cost: null };
  const priced = priceSession(
    tariff,
    {
      start: Date.parse(session.start),
      end: Date.parse(session.end),
      curve: sessionCurve(session, readings, entity.batteryCapacityKwh),
    },
    entity.timeZone,
    context.prices.get(tariff.id) ?? [],
  );
  return { ...session, category, cost: { ...priced, tariffId: tariff.id, tariffVersion: tariff.version } };
}
