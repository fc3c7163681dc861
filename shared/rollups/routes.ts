// The daily-energy listing, declared once (see shared/http/route.ts). Served by functions/sessions.ts.

import { defineRoute } from '../http/route.js';
import { DAILY_ENERGY_MAX_DAYS, DailyEnergyPage, DailyEnergyQuery } from './schemas.js';

export const listDailyEnergyRoute = defineRoute({
  operationId: 'listDailyEnergy',
  method: 'GET',
  path: '/v1/fleet/daily-energy',
  fn: 'sessions',
  auth: { scope: 'sessions:read' },
  summary: 'Energy, sessions and charging minutes per entity and local day, for fleet dashboards',
  description: [
    'One item per entity and day on which it charged, by date then entity id (or by date, with `entityId`); days without charging are absent.',
    'Days are local dates in each entity’s time zone (23 or 25 hours long around DST changes). A session crossing midnight is split between the days by time share; `sessionCount` counts it on the day it started, like the session listings.',
    'The daily job writes these after it computes sessions, so today’s figures are partial until its next run.',
    `\`start\` is inclusive and \`end\` exclusive; the range spans at most ${DAILY_ENERGY_MAX_DAYS} days.`,
    'One Query per page: on the tenant’s index (GSI2, eventually consistent) or, with `entityId`, on the entity’s own partition. An unknown `entityId` gives an empty list, like any filter. Continuation tokens are bound to the tenant, start, end and entityId.',
  ].join(' '),
  tags: ['Daily energy'],
  query: DailyEnergyQuery,
  responses: { 200: { description: 'A page of daily rollups.', schema: DailyEnergyPage } },
});

export const dailyEnergyRoutes = [listDailyEnergyRoute];
