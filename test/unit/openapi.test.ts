// The OpenAPI document: generated from the route declarations, valid OpenAPI 3.1, complete in both
// directions, and committed to docs/ as generated.

import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { errorsMarkdown, openApiJson } from '../../infra/scripts/write-docs.js';
import { allRoutes } from '../../shared/api/routes.js';
import { ERROR_CODES } from '../../shared/error-codes.js';
import { buildOpenApiDocument, routeErrorCodes } from '../../shared/http/openapi.js';
import { requiredScope } from '../../shared/http/route.js';

const document = buildOpenApiDocument(allRoutes);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(document)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every declared route, and declares every documented operation', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(allRoutes.map((r) => `${r.method} ${r.path}`).sort());
    expect(new Set(allRoutes.map((r) => r.operationId)).size).toBe(allRoutes.length);
  });

  it('gives each operation its scope, its parameters, and every error code it can answer', () => {
    for (const route of allRoutes) {
      const operation = (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()];
      const scope = requiredScope(route);
      expect(operation.security).toEqual(scope ? [{ bearerAuth: [scope] }] : []);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(
        operation.parameters
          .filter((p: { in: string }) => p.in === 'path')
          .map((p: { name: string }) => p.name),
      ).toEqual(pathParams);
      for (const code of routeErrorCodes(route)) {
        const response = operation.responses[String(ERROR_CODES[code].status)];
        expect(response?.description, `${route.operationId} ${code}`).toContain(`\`${code}\``);
        expect(response.content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
      if (route.body) expect(operation.requestBody.content['application/json'].schema).toBeDefined();
    }
  });

  it('resolves every $ref to a component', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    for (const ref of refs) expect(document.components.schemas, ref).toHaveProperty(ref);
  });

  it('is committed to docs/ exactly as generated (run `npm run openapi` after changing routes)', () => {
    expect(readFileSync('docs/openapi.json', 'utf8')).toBe(openApiJson());
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(errorsMarkdown());
  });
});
