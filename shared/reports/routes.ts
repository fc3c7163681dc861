// The reports routes, declared once (see shared/http/route.ts). Served by functions/reports.ts.

import * as z from 'zod/mini';
import { entityIdFilter } from '../entities/schemas.js';
import { defineRoute } from '../http/route.js';
import { SESSION_CATEGORIES } from '../sessions/model.js';

/** A month's sessions read for one report: a 300-vehicle fleet charging daily; more is refused (422). */
export const MAX_REPORT_SESSIONS = 20_000;

export const MonthlyReportQuery = z.strictObject({
  month: z
    .string()
    .check(
      z.regex(/^\d{4}-(0[1-9]|1[0-2])$/),
      z.meta({ description: "The month, YYYY-MM, in each entity's local time.", example: '2026-11' }),
    ),
  entityId: entityIdFilter('sessions'),
});

const Money = z.object({ currency: z.string(), amount: z.int() });

export const MonthlyReport = z
  .object({
    month: z.string(),
    rows: z.array(
      z.object({
        entityId: z.string(),
        entityName: z.string(),
        timeZone: z.string().check(z.meta({ description: 'The IANA zone the local times are in.' })),
        category: z.enum(SESSION_CATEGORIES),
        firstStart: z.string().check(z.meta({ description: 'Local `YYYY-MM-DD HH:MM` in timeZone.' })),
        lastEnd: z.string(),
        sessions: z.int(),
        energyKwh: z.number(),
        unpricedSessions: z.int(),
        flaggedSessions: z.int().check(
          z.meta({
            description:
              'Sessions whose quality is flagged: energy only estimated (state of charge × capacity) or a data gap (> 45 min without readings) inside the session.',
          }),
        ),
        cost: z.nullable(
          z
            .object({ currency: z.string(), total: z.int(), tax: z.int() })
            .check(z.meta({ description: 'Minor units; total excludes VAT, tax is the VAT.' })),
        ),
        reimbursable: z.nullable(Money).check(
          z.meta({
            description:
              "Home sessions only, minor units: at the tenant's reference price per kWh (rounded per session, half-even), or at their actual cost with VAT when the tenant chose so. Null for other categories, or when any session's amount is unknown.",
          }),
        ),
      }),
    ),
  })
  .check(z.meta({ id: 'MonthlyReport' }));

export const monthlyReportRoute = defineRoute({
  operationId: 'getMonthlyReport',
  method: 'GET',
  path: '/v1/fleet/reports/monthly',
  fn: 'reports',
  auth: { scope: 'sessions:read' },
  summary: 'A month of sessions per entity and category: energy, cost and the reimbursable amount',
  description: `JSON by default (amounts in minor units); \`Accept: text/csv\` gives a spreadsheet-ready CSV with decimal amounts, local date-times and the time zone named on every row. At most ${MAX_REPORT_SESSIONS} sessions per report (422 \`report_too_large\`: ask per entity).`,
  tags: ['Reports'],
  query: MonthlyReportQuery,
  responses: {
    200: {
      description: 'The report.',
      schema: MonthlyReport,
      alternatives: { 'text/csv': z.string() },
    },
  },
  errors: ['entity_not_found', 'report_too_large'],
});

export const reportRoutes = [monthlyReportRoute];
