// Binds the locations routes to their use cases: each adapter maps a validated request to one call.

import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import {
  createLocationRoute,
  deleteLocationRoute,
  getLocationRoute,
  listLocationsRoute,
  updateLocationRoute,
} from './routes.js';
import * as locations from './service.js';

export const locationHandlers = [
  implement(createLocationRoute, async ({ caller, body, now, baseUrl }) => {
    const location = await locations.createLocation(caller.tenantId, body, now);
    return {
      status: 201,
      headers: { Location: `${baseUrl}/v1/locations/${location.id}` },
      body: locations.toLocationResource(location),
    };
  }),

  implement(listLocationsRoute, async ({ caller, query, now, baseUrl }) => ({
    status: 200,
    body: await paginate({
      binding: { tenantId: caller.tenantId, query: 'listLocations' },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/locations`,
      query: {},
      fetch: (startKey) => locations.listLocations(caller.tenantId, { pageSize: query.pageSize, startKey }),
      map: locations.toLocationResource,
    }),
  })),

  implement(getLocationRoute, async ({ caller, params }) => ({
    status: 200,
    body: locations.toLocationResource(await locations.getLocation(caller.tenantId, params.locationId)),
  })),

  implement(updateLocationRoute, async ({ caller, params, body }) => ({
    status: 200,
    body: locations.toLocationResource(
      await locations.updateLocation(caller.tenantId, params.locationId, body),
    ),
  })),

  implement(deleteLocationRoute, async ({ caller, params }) => {
    await locations.deleteLocation(caller.tenantId, params.locationId);
    return { status: 204 };
  }),
];
