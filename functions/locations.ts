// Lambda: the tenant's named locations (/v1/locations…), which charge sessions are matched to.
import { createHttpHandler } from '../shared/http/handler.js';
import { locationHandlers } from '../shared/locations/http.js';

export const handler = createHttpHandler(locationHandlers);
