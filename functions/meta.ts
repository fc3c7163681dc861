// Lambda: the OpenAPI document, error-code descriptions, and the $default route (404/405).
import { metaHandlers, routeNotFound } from '../shared/api/meta.js';
import { createHttpHandler } from '../shared/http/handler.js';

export const handler = createHttpHandler(metaHandlers, { fallback: routeNotFound });
