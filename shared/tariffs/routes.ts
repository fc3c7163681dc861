// The tariffs routes, declared once (see shared/http/route.ts). Served by functions/tariffs.ts.

import { defineRoute, type RouteSpec } from '../http/route.js';
import {
  CreateTariffBody,
  DynamicPrices,
  ListTariffsQuery,
  MAX_PRICE_POINTS,
  PricesQuery,
  PutPricesBody,
  Tariff,
  TariffIdParams,
  TariffPage,
  TariffVersionParams,
  UpdateTariffBody,
} from './schemas.js';
import { costSettingsRoutes } from './settings.js';

const tags = ['Tariffs'];

export const createTariffRoute = defineRoute({
  operationId: 'createTariff',
  method: 'POST',
  path: '/v1/tariffs',
  fn: 'tariffs',
  auth: { scope: 'tariffs:write' },
  summary: 'Create a tariff (OCPI 2.2.1 model): what charging costs, by time of day, power and energy',
  description:
    "Prices are decimals in the currency's major unit excluding VAT, as in OCPI. For each dimension (ENERGY, TIME, PARKING_TIME, FLAT) the first element whose restrictions all hold prices the moment; restrictions are local time in the charging entity's zone. Sessions priced with it carry `cost` in minor units, rounded once per session half-even.",
  tags,
  body: CreateTariffBody,
  responses: {
    201: {
      description: 'The tariff was created, as version 1.',
      schema: Tariff,
      headers: { Location: { description: 'URL of the new tariff.' } },
    },
  },
});

export const listTariffsRoute = defineRoute({
  operationId: 'listTariffs',
  method: 'GET',
  path: '/v1/tariffs',
  fn: 'tariffs',
  auth: { scope: 'tariffs:read' },
  summary: "List the tenant's tariffs (current versions), oldest first",
  tags,
  query: ListTariffsQuery,
  responses: { 200: { description: 'A page of tariffs.', schema: TariffPage } },
});

export const getTariffRoute = defineRoute({
  operationId: 'getTariff',
  method: 'GET',
  path: '/v1/tariffs/{tariffId}',
  fn: 'tariffs',
  auth: { scope: 'tariffs:read' },
  summary: "Get a tariff's current version",
  tags,
  params: TariffIdParams,
  responses: { 200: { description: 'The tariff.', schema: Tariff } },
  errors: ['tariff_not_found'],
});

export const getTariffVersionRoute = defineRoute({
  operationId: 'getTariffVersion',
  method: 'GET',
  path: '/v1/tariffs/{tariffId}/versions/{version}',
  fn: 'tariffs',
  auth: { scope: 'tariffs:read' },
  summary: 'Get a tariff as it was at one version (the one a session names in cost.tariffVersion)',
  tags,
  params: TariffVersionParams,
  responses: { 200: { description: 'That version of the tariff.', schema: Tariff } },
  errors: ['tariff_version_not_found'],
});

export const updateTariffRoute = defineRoute({
  operationId: 'updateTariff',
  method: 'PATCH',
  path: '/v1/tariffs/{tariffId}',
  fn: 'tariffs',
  auth: { scope: 'tariffs:write' },
  summary: 'Edit a tariff: makes a new version',
  description:
    'Fields given replace the current ones (elements as a whole). Sessions already priced keep the version they were priced with; sessions computed afterwards use the new one.',
  tags,
  params: TariffIdParams,
  body: UpdateTariffBody,
  responses: { 200: { description: 'The new version.', schema: Tariff } },
  errors: ['tariff_not_found', 'tariff_edit_conflict'],
});

export const deleteTariffRoute = defineRoute({
  operationId: 'deleteTariff',
  method: 'DELETE',
  path: '/v1/tariffs/{tariffId}',
  fn: 'tariffs',
  auth: { scope: 'tariffs:write' },
  summary: 'Delete a tariff no location or cost setting names',
  description:
    'Sessions priced with it keep their cost, and its versions stay readable. 409 `tariff_in_use` while a location or the cost settings name it.',
  tags,
  params: TariffIdParams,
  responses: { 204: { description: 'The tariff was deleted.' } },
  errors: ['tariff_not_found', 'tariff_in_use'],
});

export const putPricesRoute = defineRoute({
  operationId: 'putTariffPrices',
  method: 'PUT',
  path: '/v1/tariffs/{tariffId}/prices',
  fn: 'tariffs',
  auth: { scope: 'tariffs:write' },
  summary: 'Upload dynamic (day-ahead) ENERGY prices',
  description: `Up to ${MAX_PRICE_POINTS} points of a minute to a day each, none running past the UTC midnight after its start (hourly or 15-minute day-ahead prices). Where the series covers a moment, its price is the ENERGY price then. The points must tile one span: an overlap or a gap is a 400 naming the point, and nothing is stored. Each UTC day the series touches is replaced by the points starting on it.`,
  tags,
  params: TariffIdParams,
  body: PutPricesBody,
  bodyLimitBytes: 512 * 1024,
  responses: { 200: { description: 'The series as stored.', schema: DynamicPrices } },
  errors: ['tariff_not_found'],
});

export const getPricesRoute = defineRoute({
  operationId: 'getTariffPrices',
  method: 'GET',
  path: '/v1/tariffs/{tariffId}/prices',
  fn: 'tariffs',
  auth: { scope: 'tariffs:read' },
  summary: 'Read the dynamic prices overlapping [from, to)',
  tags,
  params: TariffIdParams,
  query: PricesQuery,
  responses: { 200: { description: 'The prices.', schema: DynamicPrices } },
  errors: ['tariff_not_found'],
});

export const tariffRoutes: RouteSpec[] = [
  createTariffRoute,
  listTariffsRoute,
  getTariffRoute,
  getTariffVersionRoute,
  updateTariffRoute,
  deleteTariffRoute,
  putPricesRoute,
  getPricesRoute,
  ...costSettingsRoutes,
];
