// Every route of the HTTP API, as declarations. The CDK stack, the local runner, the $default fallback
// and the OpenAPI document all read this list; each Lambda imports only its own area's bindings.

import { chargerRoutes } from '../chargers/routes.js';
import { entityRoutes } from '../entities/routes.js';
import type { RouteSpec } from '../http/route.js';
import { locationRoutes } from '../locations/routes.js';
import { publicSessionRoutes } from '../public-sessions/routes.js';
import { readingRoutes } from '../readings/routes.js';
import { reportRoutes } from '../reports/routes.js';
import { dailyEnergyRoutes } from '../rollups/routes.js';
import { sessionRoutes } from '../sessions/routes.js';
import { tariffRoutes } from '../tariffs/routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { metaRoutes } from './meta-routes.js';

export const allRoutes: readonly RouteSpec[] = [
  ...metaRoutes,
  ...entityRoutes,
  ...readingRoutes,
  ...locationRoutes,
  ...sessionRoutes,
  ...chargerRoutes,
  ...publicSessionRoutes,
  ...dailyEnergyRoutes,
  ...tariffRoutes,
  ...reportRoutes,
  ...webhookRoutes,
];
