// The tenant's cost settings over HTTP (GET/PUT /v1/settings/costs): schemas and routes, served by the
// tariffs function (bound in ./http.ts).

import * as z from 'zod/mini';
import { defineRoute } from '../http/route.js';
import { boundedNumber, uuidString } from '../schema.js';
import { TariffCurrency } from './schemas.js';

export const CostSettingsBody = z
  .strictObject({
    defaultTariffId: z.nullable(
      uuidString('a tariff id').check(
        z.meta({
          description:
            'Prices every session not matched to a location with a tariff of its own; null: those sessions get `cost: null`.',
        }),
      ),
    ),
    reimbursement: z.nullable(
      z.strictObject({
        currency: TariffCurrency,
        pricePerKwh: boundedNumber(0, 1_000).check(
          z.meta({ description: 'Reference price per kWh charged at home, major units.', example: 0.3 }),
        ),
      }),
    ),
    reimburseHomeAtActualTariff: z.boolean().check(
      z.meta({
        description: 'Reimburse home sessions at their actual tariff cost instead of the reference price.',
      }),
    ),
  })
  .check(z.meta({ id: 'CostSettingsRequest' }));

export const CostSettingsResource = z
  .object({
    defaultTariffId: z.nullable(z.uuid()),
    reimbursement: z.nullable(z.object({ currency: z.string(), pricePerKwh: z.number() })),
    reimburseHomeAtActualTariff: z.boolean(),
    updated: z.nullable(z.iso.datetime()),
  })
  .check(z.meta({ id: 'CostSettings' }));

const tags = ['Tariffs'];

export const getCostSettingsRoute = defineRoute({
  operationId: 'getCostSettings',
  method: 'GET',
  path: '/v1/settings/costs',
  fn: 'tariffs',
  auth: { scope: 'tariffs:read' },
  summary: "The tenant's default tariff and reimbursement reference price",
  tags,
  responses: { 200: { description: 'The cost settings.', schema: CostSettingsResource } },
});

export const putCostSettingsRoute = defineRoute({
  operationId: 'putCostSettings',
  method: 'PUT',
  path: '/v1/settings/costs',
  fn: 'tariffs',
  auth: { scope: 'tariffs:write' },
  summary: "Set the tenant's default tariff and reimbursement reference price",
  description: 'Applies to sessions computed afterwards; sessions already priced keep their cost.',
  tags,
  body: CostSettingsBody,
  responses: { 200: { description: 'The cost settings as stored.', schema: CostSettingsResource } },
});

export const costSettingsRoutes = [getCostSettingsRoute, putCostSettingsRoute];
