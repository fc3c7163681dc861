// The OpenAPI document: generated from the route declarations, valid OpenAPI 3.1, complete in both
// directions, and committed to docs/ as generated.

import { readFileSync } from 'node:fs';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { errorsMarkdown, openApiJson } from '../../infra/scripts/write-docs.js';
import { allRoutes } from '../../shared/api/routes.js';
import { ERROR_CODES } from '../../shared/error-codes.js';
import { GATEWAY_ANSWERS } from '../../shared/http/gateway-answers.js';
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

  it("is clean under Redocly's recommended ruleset (errors and warnings)", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: '/openapi.json',
      config,
    });
    expect(problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
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

  it('lists on every operation what API Gateway answers by itself, with its real body', () => {
    for (const route of allRoutes) {
      const operation = (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()];
      for (const answer of Object.values(GATEWAY_ANSWERS)) {
        const response = operation.responses[String(answer.status)];
        expect(response.content['application/json'].schema, route.operationId).toEqual({
          $ref: '#/components/schemas/GatewayError',
        });
        expect(response.description).toContain(`{"message":"${answer.message}"}`);
      }
      // No gateway 401: a request without a token reaches the function (shared/auth/gateway.ts).
      expect(operation.responses['401']?.content?.['application/json'], route.operationId).toBeUndefined();
    }
    const schemas = document.components.schemas as Record<string, any>;
    expect(schemas.GatewayError.properties.message.enum).toEqual(
      Object.values(GATEWAY_ANSWERS).map((a) => a.message),
    );
  });

  it('describes each tag the operations use, and names its servers, contact and licence', () => {
    const used = new Set(allRoutes.flatMap((route) => route.tags));
    expect(document.tags.map((tag) => tag.name).sort()).toEqual([...used].sort());
    for (const tag of document.tags) expect(tag.description, tag.name).not.toBe('');
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.info.license.name).toBeTruthy();
    expect(document.info.contact.name).toBeTruthy();
  });

  it('keeps `default` out of request schemas, where generators would make the field required', () => {
    const requestSide = allRoutes
      .filter((route) => route.body)
      .map(
        (route) =>
          (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()].requestBody,
      );
    const seen = new Set<string>();
    const visit = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      if (Array.isArray(value)) {
        for (const item of value) visit(item);
        return;
      }
      expect(value).not.toHaveProperty('default');
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && !seen.has(child)) {
          seen.add(child);
          visit((document.components.schemas as Record<string, unknown>)[child.split('/').pop() as string]);
        } else visit(child);
      }
    };
    visit(requestSide);
    expect(seen.size).toBeGreaterThan(5);
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
