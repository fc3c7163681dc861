// Use case for the daily job: give each session about to be stored its category and cost. Loads the
// tenant's cost settings, the tariffs the sessions need (current versions) and their dynamic prices
// over the sessions' span, then prices each session with the pure rules of ./session-cost.ts.

import type { Reading } from '../readings/model.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import { getCostSettings } from '../storage/cost-settings.js';
import type { PricedLocation } from '../storage/locations.js';
import { retryTransient } from '../storage/retry.js';
import { getTariff, readPrices, type TariffRecord } from '../storage/tariffs.js';
import type { PricePoint } from './model.js';
import { tariffIdsFor, withCost } from './session-cost.js';

export async function priceSessions(
  tenantId: string,
  entity: { timeZone: string; batteryCapacityKwh: number | null },
  sessions: readonly ChargeSessionRecord[],
  readings: readonly Reading[],
  locations: readonly PricedLocation[],
): Promise<ChargeSessionRecord[]> {
  if (sessions.length === 0) return [];
  const settings = await retryTransient(() => getCostSettings(tenantId));
  const ids = tariffIdsFor(sessions, { locations, settings });
  const from = Math.min(...sessions.map((s) => Date.parse(s.start)));
  const to = Math.max(...sessions.map((s) => Date.parse(s.end)));
  const tariffs = new Map<string, TariffRecord>();
  const prices = new Map<string, PricePoint[]>();
  await Promise.all(
    ids.map(async (id) => {
      const [tariff, points] = await Promise.all([
        retryTransient(() => getTariff(tenantId, id)),
        retryTransient(() => readPrices(tenantId, id, from, to)),
      ]);
      if (tariff) tariffs.set(id, tariff);
      prices.set(id, points);
    }),
  );
  return sessions.map((s) => withCost(s, readings, entity, { locations, settings, tariffs, prices }));
}
