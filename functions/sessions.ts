// Lambda: charge-session listings and exports (/v1/entities/{entityId}/charge-sessions, /v1/charge-sessions).
import { createHttpHandler } from '../shared/http/handler.js';
import { sessionHandlers } from '../shared/sessions/http.js';

export const handler = createHttpHandler(sessionHandlers);
