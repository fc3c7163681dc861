// Builds the OpenAPI 3.1 document from the route declarations and their zod schemas, so the document
// cannot disagree with what the handlers validate. Served at GET /openapi.json, written to docs/ by
// `npm run openapi`.

import * as z from 'zod/mini';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';
import { GATEWAY_ANSWERS } from './gateway-answers.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { DEFAULT_BODY_LIMIT_BYTES, type RouteSpec, requiredScope } from './route.js';

export const API_VERSION = '1.0.0';

type JsonSchema = Record<string, unknown>;

type Io = 'input' | 'output';

/**
 * Collects the JSON Schemas of requests (`input`: fields with defaults optional) and responses
 * (`output`). Named sub-schemas (`z.meta({ id })`) become components; one whose request side differs
 * from its response side is `<id>Input` on the request side. References are placeholders
 * (`#/$defs/<io>/<id>`) until `resolve` names the components.
 */
class SchemaCollector {
  private readonly defs: Record<Io, Record<string, JsonSchema>> = { input: {}, output: {} };

  add(schema: z.core.$ZodType, io: Io): JsonSchema {
    const generated = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      reused: 'inline',
    }) as JsonSchema;
    const defs = (generated.$defs ?? {}) as Record<string, JsonSchema>;
    delete generated.$defs;
    delete generated.$schema;
    const tag = (value: JsonSchema) => {
      const tagged = JSON.parse(
        JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, `"#/$defs/${io}/$1"`),
      ) as JsonSchema;
      return io === 'input' ? defaultsDescribed(tagged) : tagged;
    };
    for (const [id, def] of Object.entries(defs)) this.defs[io][id] = tag(def);
    return tag(generated);
  }

  /** The components, and a function that rewrites placeholder references in any JSON to them. */
  resolve(): { components: Record<string, JsonSchema>; rewrite: <T>(value: T) => T } {
    const inputNames = new Map(Object.keys(this.defs.input).map((id) => [id, id]));
    const untagged = (value: JsonSchema) =>
      JSON.stringify(value).replace(/"#\/\$defs\/(input|output)\/([^"]+)"/g, (_, refIo: Io, id: string) =>
        refIo === 'input' && inputNames.get(id) !== id ? `"in:${id}"` : `"${id}"`,
      );
    // A definition differs when it does, or when one it refers to does: repeat until no name changes.
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, def] of Object.entries(this.defs.input)) {
        const output = this.defs.output[id];
        if (inputNames.get(id) !== id || !output) continue;
        if (untagged(def) !== untagged(output)) {
          inputNames.set(id, `${id}Input`);
          changed = true;
        }
      }
    }
    const rewrite = <T>(value: T): T =>
      JSON.parse(
        JSON.stringify(value).replace(
          /"#\/\$defs\/(input|output)\/([^"]+)"/g,
          (_, io: Io, id: string) =>
            `"#/components/schemas/${io === 'input' ? (inputNames.get(id) ?? id) : id}"`,
        ),
      ) as T;
    const components: Record<string, JsonSchema> = {};
    for (const [id, def] of Object.entries(this.defs.output)) components[id] = rewrite(def);
    for (const [id, def] of Object.entries(this.defs.input))
      components[inputNames.get(id) as string] = rewrite(def);
    return { components, rewrite };
  }
}

/**
 * A request schema with each `default` moved into its description. A field with a default is optional in
 * a request, but code generators (openapi-typescript among them) type any property with a `default` as
 * always present, which holds for responses only: clients would have to send every defaulted field.
 */
function defaultsDescribed(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema), (_, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !('default' in value))
      return value;
    const { default: fallback, ...rest } = value as JsonSchema;
    const description = typeof rest.description === 'string' ? rest.description : '';
    return /\bdefault\b/i.test(description)
      ? rest
      : {
          ...rest,
          description: `${description}${description ? ' ' : ''}Default: \`${JSON.stringify(fallback)}\`.`,
        };
  }) as JsonSchema;
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

/** What API Gateway answers by itself (shared/http/gateway-answers.ts). */
const GatewayErrorSchema: JsonSchema = {
  type: 'object',
  description:
    "An answer from API Gateway itself, sent before any of this API's code runs; it carries no CORS headers.",
  required: ['message'],
  properties: {
    message: { type: 'string', enum: [...new Set(Object.values(GATEWAY_ANSWERS).map((a) => a.message))] },
  },
};

// The project publishes no licence (package.json is private) and no support address: the document says so
// rather than invent one.
const CONTACT = { name: 'evsessions maintainers (quote the requestId of a problem document)' };
const LICENSE = { name: 'Proprietary: no licence is granted', identifier: 'LicenseRef-Proprietary' };

const SERVERS = [
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
    description: 'A deployed stack: the `ApiUrl` output of `cdk deploy`.',
    variables: {
      apiId: { default: 'abcdef1234', description: 'The HTTP API id.' },
      region: { default: 'eu-west-1', description: 'The AWS region of the stack.' },
    },
  },
  { url: 'http://127.0.0.1:3000', description: '`npm start` on this machine.' },
];

/** Each tag the routes use, with what it groups; a route with another tag fails the unit test. */
export const TAGS = [
  { name: 'Entities', description: 'EVs and charge points, their battery capacity and features.' },
  { name: 'Readings', description: 'Timestamped measurements an entity reports, kept 35 days.' },
  {
    name: 'Charge sessions',
    description:
      'Sessions detected from readings, as JSON, CSV or an export format (Atlas, Beckn, EV-ChART).',
  },
  { name: 'Daily energy', description: 'Energy charged per entity and day, in its time zone.' },
  { name: 'Locations', description: 'Named places sessions are matched to.' },
  {
    name: 'Chargers',
    description: 'Operator side: charge points open to public charging, and their CSMS link.',
  },
  {
    name: 'Public charging',
    description: 'Driver side, no token: look a charger up, start, follow and stop a session.',
  },
  {
    name: 'Tariffs',
    description:
      'Prices in the OCPI 2.2.1 model (time of use, dynamic prices), versioned, and the tenant cost settings.',
  },
  { name: 'Reports', description: 'Monthly cost and reimbursement per entity and category, JSON or CSV.' },
  {
    name: 'Webhooks',
    description: 'Endpoints that receive signed events (Standard Webhooks), their deliveries and retries.',
  },
  { name: 'Meta', description: 'This document and the description of each error code.' },
];

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

export function buildOpenApiDocument(routes: readonly RouteSpec[]) {
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
    for (const answer of Object.values(GATEWAY_ANSWERS)) {
      const status = String(answer.status);
      const existing = responses[status] as { description: string; content?: object } | undefined;
      const line = `API Gateway's own \`{"message":"${answer.message}"}\`: ${answer.when}`;
      responses[status] = {
        description: existing ? `${existing.description}\n\n${line}` : line,
        content: {
          ...existing?.content,
          'application/json': { schema: { $ref: '#/components/schemas/GatewayError' } },
        },
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
  const { components, rewrite } = collector.resolve();
  return rewrite({
    openapi: '3.1.0',
    info: {
      title: 'evsessions — Charge Sessions API',
      version: API_VERSION,
      description:
        'Charge sessions of electric vehicles (EVs) and charge points (CPs). Errors are application/problem+json with a stable `code`; see /problems/{code}. A few answers come from API Gateway itself, before any code runs: `{"message": …}` JSON bodies without CORS headers (see `GatewayError`).',
      contact: CONTACT,
      license: LICENSE,
    },
    servers: SERVERS,
    tags: TAGS,
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
      schemas: { Problem: ProblemSchema, GatewayError: GatewayErrorSchema, ...components },
    },
  });
}
