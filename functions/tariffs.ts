// Lambda: the tenant's tariffs (/v1/tariffs…), their versions and dynamic prices, which sessions are priced with.
import { createHttpHandler } from '../shared/http/handler.js';
import { tariffHandlers } from '../shared/tariffs/http.js';

export const handler = createHttpHandler(tariffHandlers);
