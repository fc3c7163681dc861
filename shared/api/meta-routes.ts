// Routes about the API itself: its OpenAPI document and its error types. Public, served by functions/meta.ts.

import * as z from 'zod/mini';
import { defineRoute } from '../http/route.js';

/** Documentation is read by people and code generators, a few times a day each. */
const DOCUMENTATION_THROTTLE = { rateLimit: 20, burstLimit: 40 };

export const ProblemTypeParams = z.strictObject({ code: z.string().check(z.maxLength(64)) });

export const ProblemType = z
  .object({ code: z.string(), status: z.number().check(z.int()), description: z.string() })
  .check(z.meta({ id: 'ProblemType' }));

export const getOpenApiRoute = defineRoute({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  fn: 'meta',
  auth: {
    public: 'The API description is public documentation; it holds no tenant data.',
    throttle: DOCUMENTATION_THROTTLE,
  },
  summary: 'This API described in OpenAPI 3.1',
  tags: ['Meta'],
  responses: { 200: { description: 'The OpenAPI document.', contentType: 'application/json' } },
});

export const getProblemTypeRoute = defineRoute({
  operationId: 'getProblemType',
  method: 'GET',
  path: '/problems/{code}',
  fn: 'meta',
  auth: {
    public: 'Error-code descriptions are public documentation; they hold no tenant data.',
    throttle: DOCUMENTATION_THROTTLE,
  },
  summary: 'Describe an error code (the `type` of a problem document)',
  tags: ['Meta'],
  params: ProblemTypeParams,
  responses: { 200: { description: 'What the error code means.', schema: ProblemType } },
  errors: ['problem_type_not_found'],
});

export const metaRoutes = [getOpenApiRoute, getProblemTypeRoute];
