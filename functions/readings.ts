// Lambda: readings ingestion and listing (/v1/entities/{entityId}/readings).
import { createHttpHandler } from '../shared/http/handler.js';
import { readingHandlers } from '../shared/readings/http.js';

export const handler = createHttpHandler(readingHandlers);
