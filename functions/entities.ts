// Lambda: entities, battery capacity and features (/v1/entities…).
import { entityHandlers } from '../shared/entities/http.js';
import { createHttpHandler } from '../shared/http/handler.js';

export const handler = createHttpHandler(entityHandlers);
