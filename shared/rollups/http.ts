// Binds the daily-energy listing to its use case: a page of rollups (one Query), with a continuation token
// bound to the tenant and every parameter but the page size.

import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import { bindingQuery } from '../sessions/http.js';
import type { DailyRollupRecord } from './daily.js';
import { listDailyEnergyRoute } from './routes.js';
import type { DailyEnergy } from './schemas.js';
import { dailyEnergySource } from './service.js';

export function toDailyEnergyResource(rollup: DailyRollupRecord): DailyEnergy {
  return {
    entityId: rollup.entityId,
    entityType: rollup.entityType,
    date: rollup.date,
    timeZone: rollup.timeZone,
    energy: { value: rollup.energyKwh, unit: 'kWh' },
    sessionCount: rollup.sessionCount,
    chargingMinutes: rollup.chargingMinutes,
    updated: rollup.updated,
  };
}

export const dailyEnergyHandlers = [
  implement(listDailyEnergyRoute, async ({ caller, query, now, baseUrl }) => {
    const shaping = { start: query.start, end: query.end, entityId: query.entityId };
    const fetch = dailyEnergySource(caller.tenantId, { start: query.start, end: query.end }, query.entityId);
    const page = await paginate({
      binding: { tenantId: caller.tenantId, query: bindingQuery('listDailyEnergy', shaping) },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/fleet/daily-energy`,
      query: shaping,
      fetch: (startKey) => fetch(startKey, query.pageSize),
      map: toDailyEnergyResource,
    });
    return { status: 200, body: page };
  }),
];
