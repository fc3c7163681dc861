// Binds the tariffs routes to their use cases: each adapter maps a validated request to one call.

import { ValidationError } from '../errors.js';
import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import { type CostSettings, getCostSettings, putCostSettings } from '../storage/cost-settings.js';
import {
  createTariffRoute,
  deleteTariffRoute,
  getPricesRoute,
  getTariffRoute,
  getTariffVersionRoute,
  listTariffsRoute,
  putPricesRoute,
  updateTariffRoute,
} from './routes.js';
import * as tariffs from './service.js';
import { getCostSettingsRoute, putCostSettingsRoute } from './settings.js';

export const tariffHandlers = [
  implement(createTariffRoute, async ({ caller, body, now, baseUrl }) => {
    const tariff = await tariffs.createTariff(caller.tenantId, body, now);
    return {
      status: 201,
      headers: { Location: `${baseUrl}/v1/tariffs/${tariff.id}` },
      body: tariffs.toTariffResource(tariff),
    };
  }),

  implement(listTariffsRoute, async ({ caller, query, now, baseUrl }) => ({
    status: 200,
    body: await paginate({
      binding: { tenantId: caller.tenantId, query: 'listTariffs' },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/tariffs`,
      query: {},
      fetch: (startKey) => tariffs.listTariffs(caller.tenantId, { pageSize: query.pageSize, startKey }),
      map: tariffs.toTariffResource,
    }),
  })),

  implement(getTariffRoute, async ({ caller, params }) => ({
    status: 200,
    body: tariffs.toTariffResource(await tariffs.getTariff(caller.tenantId, params.tariffId)),
  })),

  implement(getTariffVersionRoute, async ({ caller, params }) => ({
    status: 200,
    body: tariffs.toTariffResource(
      await tariffs.getTariffVersion(caller.tenantId, params.tariffId, Number(params.version)),
    ),
  })),

  implement(updateTariffRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: tariffs.toTariffResource(await tariffs.updateTariff(caller.tenantId, params.tariffId, body, now)),
  })),

  implement(deleteTariffRoute, async ({ caller, params }) => {
    await tariffs.deleteTariff(caller.tenantId, params.tariffId);
    return { status: 204 };
  }),

  implement(putPricesRoute, async ({ caller, params, body }) => ({
    status: 200,
    body: await tariffs.putPrices(caller.tenantId, params.tariffId, body),
  })),

  implement(getPricesRoute, async ({ caller, params, query }) => ({
    status: 200,
    body: await tariffs.readPrices(caller.tenantId, params.tariffId, query.from, query.to),
  })),

  implement(getCostSettingsRoute, async ({ caller }) => ({
    status: 200,
    body: await getCostSettings(caller.tenantId, true),
  })),
  implement(putCostSettingsRoute, async ({ caller, body, now }) => {
    const next: CostSettings = { ...body, updated: now.toISOString() };
    if (!(await putCostSettings(caller.tenantId, next))) {
      throw new ValidationError('validation_failed', `No tariff with id '${body.defaultTariffId}' exists.`, {
        errors: [
          {
            in: 'body',
            field: 'defaultTariffId',
            code: 'unknown_tariff',
            message: 'No tariff with this id exists.',
          },
        ],
      });
    }
    return { status: 200, body: next };
  }),
];
