// Binds the readings routes to their use cases.

import { entityNotFound, requireEntity } from '../entities/service.js';
import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import { isUuid } from '../ids.js';
import { toReadingResource } from './domain.js';
import { ingestReadingsRoute, listReadingsRoute } from './routes.js';
import * as readings from './service.js';

export const readingHandlers = [
  implement(ingestReadingsRoute, async ({ caller, params, body, now }) => ({
    status: 202,
    body: await readings.ingestReadings(caller.tenantId, params.entityId, body.readings, now),
  })),

  implement(listReadingsRoute, async ({ caller, params, query, now, baseUrl }) => {
    const { tenantId } = caller;
    // Not a UUID: no such entity, and no Query on a partition key built from arbitrary text.
    if (!isUuid(params.entityId)) throw entityNotFound(params.entityId);
    const range = { start: query.start, end: query.end };
    let exactLocations = false;
    return {
      status: 200,
      body: await paginate({
        // Canonical instants: two spellings of one range share tokens; pageSize may change between pages.
        binding: { tenantId, query: `listReadings?${params.entityId}&${range.start}&${range.end ?? ''}` },
        pageSize: query.pageSize,
        continuationToken: query.continuationToken,
        now,
        url: `${baseUrl}/v1/entities/${encodeURIComponent(params.entityId)}/readings`,
        query: range,
        fetch: async (startKey) => {
          // The entity (404), the tenant's location setting and the first Query go out together.
          const [page, , exact] = await Promise.all([
            readings.listReadingsPage(
              tenantId,
              params.entityId,
              range,
              { pageSize: query.pageSize, startKey },
              now,
            ),
            requireEntity(tenantId, params.entityId),
            readings.exactLocationsFor(tenantId),
          ]);
          exactLocations = exact;
          return page;
        },
        map: (reading) => toReadingResource(reading, exactLocations),
      }),
    };
  }),
];
