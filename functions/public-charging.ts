// Lambda: public charging for drivers without an account (/v1/public-charging/…).
import { createHttpHandler } from '../shared/http/handler.js';
import { publicSessionHandlers } from '../shared/public-sessions/http.js';

export const handler = createHttpHandler(publicSessionHandlers);
