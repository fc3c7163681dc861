// Lambda: charge-session listings and exports (/v1/entities/{entityId}/charge-sessions, /v1/charge-sessions)
// and the daily rollups of the daily job (/v1/fleet/daily-energy).
import { createHttpHandler } from '../shared/http/handler.js';
import { dailyEnergyHandlers } from '../shared/rollups/http.js';
import { sessionHandlers } from '../shared/sessions/http.js';

export const handler = createHttpHandler([...sessionHandlers, ...dailyEnergyHandlers]);
