// Binds the readings routes to their use cases.

import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import { ingestReadingsRoute, listReadingsRoute } from './routes.js';
import * as readings from './service.js';

export const readingHandlers = [
  implement(ingestReadingsRoute, async ({ caller, params, body, now }) => ({
    status: 202,
    body: await readings.ingestReadings(caller.tenantId, params.entityId, body.readings, now),
  })),

  implement(listReadingsRoute, async ({ caller, params, query, now, baseUrl }) => {
    const { tenantId } = caller;
    const range = { start: query.start, end: query.end };
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
        fetch: (startKey) =>
          readings.listEntityReadings(
            tenantId,
            params.entityId,
            range,
            { pageSize: query.pageSize, startKey },
            now,
          ),
        map: (reading) => reading,
      }),
    };
  }),
];
