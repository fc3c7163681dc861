// Binds the reports routes to their use cases.

import { implement } from '../http/route.js';
import { monthlyCsv } from './monthly.js';
import { monthlyReportRoute } from './routes.js';
import { monthlyReport } from './service.js';

export const reportHandlers = [
  implement(monthlyReportRoute, async ({ caller, query, headers }) => {
    const rows = await monthlyReport(caller.tenantId, query.month, query.entityId);
    if (headers.accept?.includes('text/csv')) {
      return {
        status: 200,
        headers: { Vary: 'Accept' },
        raw: { body: monthlyCsv(query.month, rows), contentType: 'text/csv; charset=utf-8' },
      };
    }
    return { status: 200, headers: { Vary: 'Accept' }, body: { month: query.month, rows } };
  }),
];
