// Builds the OpenAPI 3.1 document from the route declarations and their zod schemas, so the document
// cannot disagree with what the handlers validate. Served at GET /openapi.json, written to docs/ by
// `npm run openapi`.

import * as z from 'zod/mini';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { DEFAULT_BODY_LIMIT_BYTES, type RouteSpec, requiredScope } from './route.js';

export const API_VERSION = '1.0.0';

type JsonSchema = Record<string, unknown>;

class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  /** The JSON Schema of `schema`; named sub-schemas (`z.meta({ id })`) go to components and are referenced. */
  add(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
    const generated = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      reused: 'inline',
    }) as JsonSchema;
    const defs = (generated.$defs ?? {}) as Record<string, JsonSchema>;
    delete generated.$defs;
    delete generated.$schema;
    // Pick a component name for each definition: its id, or `<id>Input` when the request-side
    // schema of an id differs from its response-side one (defaults make fields optional on input).
    // Definitions are compared as stored (references rewritten), repeated until no name changes: a
    // definition that refers to a renamed one differs too.
    const names = new Map<string, string>(Object.keys(defs).map((id) => [id, id]));
    const rewrite = (value: JsonSchema): JsonSchema =>
      JSON.parse(
        JSON.stringify(value).replace(
          /"#\/\$defs\/([^"]+)"/g,
          (_, id: string) => `"#/components/schemas/${names.get(id) ?? id}"`,
        ),
      ) as JsonSchema;
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, def] of Object.entries(defs)) {
        const existing = this.components[id];
        const same = !existing || JSON.stringify(existing) === JSON.stringify(rewrite(def));
        if (!same && names.get(id) === id) {
          names.set(id, `${id}Input`);
          changed = true;
        }
      }
    }
    for (const [id, def] of Object.entries(defs)) this.components[names.get(id) as string] = rewrite(def);
    return rewrite(generated);
  }
}

const ProblemSchema: JsonSchema = {
  type: 'object',
  description: 'An RFC 9457 problem document.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'URI reference to GET /problems/{code}.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: {
      type: 'string',
      enum: Object.keys(ERROR_CODES),
      description: 'Stable machine-readable error code.',
    },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['in', 'field', 'code', 'message'],
        properties: {
          in: { type: 'string', enum: ['path', 'query', 'header', 'body'] },
          field: { type: 'string', description: 'Dotted path with indexes, e.g. `readings[3].soc`.' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
};

/** Every error code a route can answer: its own plus those its declaration implies. */
export function routeErrorCodes(route: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors ?? []);
  if (route.params || route.query || route.body) codes.add('validation_failed');
  if (route.body) {
    for (const code of [
      'malformed_json',
      'body_required',
      'payload_too_large',
      'unsupported_media_type',
    ] as const) {
      codes.add(code);
    }
  }
  if (
    route.query &&
    'shape' in route.query &&
    'continuationToken' in (route.query as z.ZodMiniObject).shape
  ) {
    codes.add('invalid_continuation_token');
  }
  if (requiredScope(route)) {
    codes.add('unauthorized');
    codes.add('insufficient_scope');
  }
  codes.add('internal_error');
  codes.add('service_unavailable');
  return [...codes];
}

function parametersOf(
  collector: SchemaCollector,
  schema: z.core.$ZodType | undefined,
  location: 'path' | 'query',
) {
  if (!schema) return [];
  const json = collector.add(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

export function buildOpenApiDocument(routes: readonly RouteSpec[], serverUrl?: string) {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const headers = response.headers
        ? Object.fromEntries(
            Object.entries(response.headers).map(([name, h]) => [
              name,
              { description: h.description, schema: { type: 'string' } },
            ]),
          )
        : undefined;
      const contentType = response.contentType ?? (response.schema ? 'application/json' : undefined);
      const content: Record<string, { schema: JsonSchema }> = {};
      if (contentType) {
        content[contentType] = { schema: response.schema ? collector.add(response.schema, 'output') : {} };
      }
      for (const [mediaType, schema] of Object.entries(response.alternatives ?? {})) {
        content[mediaType] = { schema: collector.add(schema, 'output') };
      }
      responses[status] = {
        description: response.description,
        ...(headers ? { headers } : {}),
        ...(Object.keys(content).length > 0 ? { content } : {}),
      };
    }
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of routeErrorCodes(route)) {
      const status = ERROR_CODES[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[String(status)] = {
        description: codes.map((code) => `\`${code}\`: ${ERROR_CODES[code].description}`).join('\n\n'),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    const scope = requiredScope(route);
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      security: scope ? [{ bearerAuth: [scope] }] : [],
      parameters: [
        ...parametersOf(collector, route.params, 'path'),
        ...parametersOf(collector, route.query, 'query'),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              description: `JSON, at most ${route.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES} bytes.`,
              content: { 'application/json': { schema: collector.add(route.body, 'input') } },
            },
          }
        : {}),
      responses,
      'x-required-scope': scope ?? null,
    };
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'evsessions — Charge Sessions API',
      version: API_VERSION,
      description:
        'Charge sessions of electric vehicles (EVs) and charge points (CPs). Errors are application/problem+json with a stable `code`; see /problems/{code}.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (`evs_…`) issued with `npm run token -- create`. Scopes are listed per operation.',
        },
      },
      schemas: { Problem: ProblemSchema, ...collector.components },
    },
  };
}
