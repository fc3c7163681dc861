// Typed factories for the Lambda events and context the handlers receive, instead of pasted JSON.

import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { AuthorizerContext } from '../../shared/auth/authorizer.js';
import type { HttpEvent } from '../../shared/http/handler.js';

export interface HttpEventOptions {
  routeKey: string;
  path?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The authorizer's context; omit for a public route. */
  authorizer?: AuthorizerContext;
}

export function httpEvent(options: HttpEventOptions): HttpEvent {
  const [method = 'GET', template = '/'] = options.routeKey.split(' ');
  const path =
    options.path ??
    template.replace(/\{(\w+)\}/g, (_, name: string) => options.pathParameters?.[name] ?? name);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      host: 'api.example.test',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'req-test-1',
      routeKey: options.routeKey,
      stage: '$default',
      time: '01/Jun/2026:12:00:00 +0000',
      timeEpoch: Date.parse('2026-06-01T12:00:00Z'),
    },
    ...(body ? { body } : {}),
    isBase64Encoded: false,
  };
  return options.authorizer
    ? { ...event, requestContext: { ...event.requestContext, authorizer: { lambda: options.authorizer } } }
    : event;
}

export function lambdaContext(functionName = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'aws-req-1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const FULL_ACCESS: AuthorizerContext = {
  tenantId: 'acme',
  tokenId: 'tok-1',
  scopes: 'entities:read entities:write readings:write readings:read sessions:read chargers:write',
};
