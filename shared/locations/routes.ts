// The locations routes, declared once (see shared/http/route.ts). Served by functions/locations.ts.

import { defineRoute } from '../http/route.js';
import {
  CreateLocationBody,
  ListLocationsQuery,
  Location,
  LocationIdParams,
  LocationPage,
  MAX_LOCATIONS_PER_TENANT,
  UpdateLocationBody,
} from './schemas.js';

const tags = ['Locations'];

export const createLocationRoute = defineRoute({
  operationId: 'createLocation',
  method: 'POST',
  path: '/v1/locations',
  fn: 'locations',
  auth: { scope: 'entities:write' },
  summary: 'Name a place (Home, Depot) that charge sessions are matched to',
  description: `Sessions computed after this are matched to the tenant's locations: \`locationMatches\` lists each place with an accuracy in 0–1 that falls with distance. At most ${MAX_LOCATIONS_PER_TENANT} per tenant (409 \`location_limit_reached\`). Sessions give exact coordinates only for tenants that opted in; matches are always given.`,
  tags,
  body: CreateLocationBody,
  responses: {
    201: {
      description: 'The location was created.',
      schema: Location,
      headers: { Location: { description: 'URL of the new location.' } },
    },
  },
  errors: ['location_limit_reached'],
});

export const listLocationsRoute = defineRoute({
  operationId: 'listLocations',
  method: 'GET',
  path: '/v1/locations',
  fn: 'locations',
  auth: { scope: 'entities:read' },
  summary: "List the tenant's locations, oldest first",
  tags,
  query: ListLocationsQuery,
  responses: { 200: { description: 'A page of locations.', schema: LocationPage } },
});

export const getLocationRoute = defineRoute({
  operationId: 'getLocation',
  method: 'GET',
  path: '/v1/locations/{locationId}',
  fn: 'locations',
  auth: { scope: 'entities:read' },
  summary: 'Get a location',
  tags,
  params: LocationIdParams,
  responses: { 200: { description: 'The location.', schema: Location } },
  errors: ['location_not_found'],
});

export const updateLocationRoute = defineRoute({
  operationId: 'updateLocation',
  method: 'PATCH',
  path: '/v1/locations/{locationId}',
  fn: 'locations',
  auth: { scope: 'entities:write' },
  summary: "Change a location's label, place, category or tariff",
  description:
    'The fields given change, the others stay; `tariffId: null` takes the tariff off. Sessions already computed keep their match, category and cost; sessions computed afterwards use the new values. An unknown `tariffId` is a 400 `unknown_tariff` and changes nothing; the tariff a location stops naming can be deleted again once nothing else names it.',
  tags,
  params: LocationIdParams,
  body: UpdateLocationBody,
  responses: { 200: { description: 'The location as stored.', schema: Location } },
  errors: ['location_not_found', 'location_edit_conflict'],
});

export const deleteLocationRoute = defineRoute({
  operationId: 'deleteLocation',
  method: 'DELETE',
  path: '/v1/locations/{locationId}',
  fn: 'locations',
  auth: { scope: 'entities:write' },
  summary: 'Delete a location',
  description:
    'Sessions already matched to it keep their match; sessions computed afterwards do not match it.',
  tags,
  params: LocationIdParams,
  responses: { 204: { description: 'The location was deleted.' } },
  errors: ['location_not_found'],
});

export const locationRoutes = [
  createLocationRoute,
  listLocationsRoute,
  getLocationRoute,
  updateLocationRoute,
  deleteLocationRoute,
];
