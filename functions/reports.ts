// Lambda: reports over a tenant's sessions (/v1/fleet/reports/…): the monthly cost and reimbursement report.
import { createHttpHandler } from '../shared/http/handler.js';
import { reportHandlers } from '../shared/reports/http.js';

export const handler = createHttpHandler(reportHandlers);
