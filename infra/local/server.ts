// The local runner: a node:http server that does what API Gateway's HTTP API does for this project, and
// nothing more. It decodes the path and picks a route exactly as the gateway would (or `$default`), runs
// the same Lambda authorizer with the same identity source and cache (shared/auth/gateway.ts), builds a
// payload-2.0 event, invokes the same handler module the Lambda runs, and writes its response back
// (status, headers, cookies, base64 bodies). Gateway-level answers (400 for a bad percent-encoding, 401
// for a missing identity source, 413 over 10 MB, 431 for an oversized head, 500 when a function throws)
// have the gateway's own `{"message": …}` bodies and, like the gateway's, no CORS headers.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import { type AuthorizerGatewayConfig, BEARER_AUTHORIZER } from '../../shared/auth/gateway.js';
import { type CorsPolicy, preflightHeaders, responseCorsHeaders } from '../../shared/http/cors.js';
import {
  GATEWAY_ANSWERS,
  GATEWAY_BODY_LIMIT_BYTES,
  GATEWAY_HEAD_LIMIT_BYTES,
  type GatewayAnswer,
} from '../../shared/http/gateway-answers.js';
import { compilePath, specificity } from '../../shared/http/path-match.js';
import { type FunctionName, isPublic, type RouteSpec } from '../../shared/http/route.js';
import { serveStatic } from './static-files.js';

export { GATEWAY_BODY_LIMIT_BYTES, GATEWAY_HEAD_LIMIT_BYTES };

/** API Gateway times an integration out at 30 s. */
const INTEGRATION_TIMEOUT_MS = 30_000;

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalApiOptions {
  routes: readonly RouteSpec[];
  /** Loads `functions/<name>.ts` and returns its `handler`. */
  loadFunction(name: FunctionName): Promise<LambdaHandler>;
  /** The authorizer Lambda's handler. */
  authorizer: LambdaHandler;
  /** The function that serves `$default`. */
  defaultFunction: FunctionName;
  /** How the gateway calls the authorizer; the deployed API's configuration when omitted. */
  authorizerConfig?: AuthorizerGatewayConfig;
  /** API Gateway's CORS configuration, when the API has one. */
  cors?: CorsPolicy | undefined;
  port?: number;
  host?: string;
  /** A folder of static files (the built dashboard) served for GET paths that no route matches. */
  staticDir?: string | undefined;
}

export interface LocalApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface CompiledRoute {
  spec: RouteSpec;
  matcher: ReturnType<typeof compilePath>;
}

const TEXT_TYPES = /^(text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|x-www-form-urlencoded|javascript))/i;

function gatewayAnswer(res: ServerResponse, { status, message }: Pick<GatewayAnswer, 'status' | 'message'>) {
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Only for an identity source that is missing: the deployed configuration has none. */
const MISSING_IDENTITY = { status: 401, message: 'Unauthorized' };
/** Only for an authorizer that denies: ours never does. */
const DENIED = { status: 403, message: 'Forbidden' };

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + INTEGRATION_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Header map as API Gateway gives it: lower-case names, repeated headers joined with commas, no cookie. */
function gatewayHeaders(req: IncomingMessage, sourceIp: string, port: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (name === 'cookie') continue;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] ??= String(port);
  headers['x-forwarded-proto'] ??= 'http';
  return headers;
}

function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (!rawQuery) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}

/**
 * Reads the values of an authorizer's identity source from a request, or undefined when one is missing or
 * empty (API Gateway then answers 401 without calling the authorizer).
 */
function identitySourceReader(expressions: readonly string[]) {
  const readers = expressions.map((expression) => {
    const header = /^\$request\.header\.(.+)$/.exec(expression)?.[1];
    if (header) return (h: Record<string, string>) => h[header.toLowerCase()];
    const query = /^\$request\.querystring\.(.+)$/.exec(expression)?.[1];
    if (query) return (_: Record<string, string>, q: Record<string, string>) => q[query];
    throw new Error(`Unsupported identity source ${expression}`);
  });
  return (headers: Record<string, string>, query: Record<string, string>): string[] | undefined => {
    const values = readers.map((read) => read(headers, query));
    return values.every((value): value is string => Boolean(value)) ? values : undefined;
  };
}

function requestIdNow(): string {
  return randomBytes(12).toString('base64').replace(/[+/]/g, 'A');
}

function writeLambdaResponse(res: ServerResponse, result: unknown, cors: Record<string, string> | undefined) {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    // API Gateway's rule for payload 2.0: anything but a structured response is a 200 JSON body.
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'Content-Type': 'application/json', ...cors });
    res.end(body);
    return;
  }
  const structured = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    // With CORS configured, API Gateway ignores CORS headers from the integration and sets its own.
    if (cors && /^access-control-/i.test(name)) continue;
    headers[name] = String(value);
  }
  Object.assign(headers, cors);
  if (structured.cookies?.length) headers['Set-Cookie'] = structured.cookies;
  headers['Content-Length'] = String(body.length);
  res.writeHead(structured.statusCode, headers);
  res.end(body);
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const compiled: CompiledRoute[] = options.routes
    .map((spec) => ({ spec, matcher: compilePath(spec.path) }))
    .sort((a, b) => specificity(b.spec.path) - specificity(a.spec.path));
  const handlers = new Map<FunctionName, Promise<LambdaHandler>>();
  const handlerFor = (name: FunctionName) => {
    let handler = handlers.get(name);
    if (!handler) {
      handler = options.loadFunction(name);
      handlers.set(name, handler);
    }
    return handler;
  };
  const authorizerConfig = options.authorizerConfig ?? BEARER_AUTHORIZER;
  const identityOf = identitySourceReader(authorizerConfig.identitySource);
  // API Gateway refuses this configuration (BadRequestException), so the runner does too.
  if (authorizerConfig.cacheSeconds > 0 && authorizerConfig.identitySource.length === 0)
    throw new Error('Identity source must be set if authorizer caching is enabled');
  const cacheMs = authorizerConfig.cacheSeconds * 1000;
  type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<Record<string, unknown>>;
  const authorizerCache = new Map<string, { expires: number; result: AuthorizerResult }>();

  // Node's own limit (16 KB) would answer oversized heads with a bare 431 before the gateway rules run.
  const server = createServer({ maxHeaderSize: 256 * 1024 }, async (req, res) => {
    try {
      await handle(req, res);
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'error', message: 'local runner failure', error: String(error) }),
      );
      if (!res.headersSent) gatewayAnswer(res, GATEWAY_ANSWERS.internal);
      else res.end();
    }
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const started = new Date();
    const requestId = requestIdNow();
    const headBytes =
      Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}`) +
      req.rawHeaders.reduce((sum, value, i) => sum + (i % 2 ? Buffer.byteLength(value) : 0), 0);
    if (headBytes > GATEWAY_HEAD_LIMIT_BYTES) return gatewayAnswer(res, GATEWAY_ANSWERS.headTooLarge);
    const method = (req.method ?? 'GET').toUpperCase();
    const [rawTarget = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
    let path: string;
    try {
      path = decodeURIComponent(rawTarget);
    } catch {
      return gatewayAnswer(res, GATEWAY_ANSWERS.badPath);
    }
    const body = await readBody(req, GATEWAY_BODY_LIMIT_BYTES);
    if (body === 'too_large') return gatewayAnswer(res, GATEWAY_ANSWERS.bodyTooLarge);
    const origin = req.headers.origin;
    if (options.cors && method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      res.writeHead(204, preflightHeaders(options.cors, origin));
      return res.end();
    }
    const cors = options.cors ? responseCorsHeaders(options.cors, origin) : undefined;

    let route: CompiledRoute | undefined;
    let pathParameters: Record<string, string> | undefined;
    for (const candidate of compiled) {
      if (candidate.spec.method !== method) continue;
      const params = candidate.matcher.match(path);
      if (params) {
        route = candidate;
        pathParameters = params;
        break;
      }
    }
    if (!route && options.staticDir && (await serveStatic(options.staticDir, method, path, res))) return;
    const routeKey = route ? `${route.spec.method} ${route.spec.path}` : '$default';
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const port = (server.address() as AddressInfo).port;
    const headers = gatewayHeaders(req, sourceIp, port);
    const cookies = req.headers.cookie
      ?.split(';')
      .map((c) => c.trim())
      .filter(Boolean);
    const contentType = headers['content-type'];
    const isBase64Encoded = body.length > 0 && !(contentType && TEXT_TYPES.test(contentType));
    const requestContext: APIGatewayProxyEventV2['requestContext'] = {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? `127.0.0.1:${port}`,
      domainPrefix: 'local',
      http: {
        method,
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: started.toUTCString(),
      timeEpoch: started.getTime(),
    };

    let authorizerContext: Record<string, unknown> | undefined;
    if (route && !isPublic(route.spec)) {
      const identitySource = identityOf(headers, queryParameters(rawQuery) ?? {});
      if (!identitySource) return gatewayAnswer(res, MISSING_IDENTITY);
      const identity = identitySource.join('\u0000');
      const cached = cacheMs > 0 ? authorizerCache.get(identity) : undefined;
      let result: AuthorizerResult | undefined =
        cached && cached.expires > Date.now() ? cached.result : undefined;
      if (!result) {
        const authorizerEvent: APIGatewayRequestAuthorizerEventV2 = {
          version: '2.0',
          type: 'REQUEST',
          routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${method}${path}`,
          identitySource,
          routeKey,
          rawPath: path,
          rawQueryString: rawQuery,
          cookies: cookies ?? [],
          headers,
          queryStringParameters: queryParameters(rawQuery) ?? {},
          requestContext,
          pathParameters: pathParameters ?? {},
          stageVariables: {},
        };
        try {
          result = (await options.authorizer(authorizerEvent, lambdaContext('authorizer', requestId))) as
            | AuthorizerResult
            | undefined;
        } catch {
          return gatewayAnswer(res, GATEWAY_ANSWERS.internal);
        }
        if (!result || typeof result.isAuthorized !== 'boolean')
          return gatewayAnswer(res, GATEWAY_ANSWERS.internal);
        if (cacheMs > 0) authorizerCache.set(identity, { expires: Date.now() + cacheMs, result });
      }
      if (!result.isAuthorized) return gatewayAnswer(res, DENIED);
      authorizerContext = result.context;
    }

    const event: APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } = {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: rawQuery,
      ...(cookies?.length ? { cookies } : {}),
      headers,
      ...(queryParameters(rawQuery) ? { queryStringParameters: queryParameters(rawQuery) } : {}),
      requestContext: {
        ...requestContext,
        ...(authorizerContext ? { authorizer: { lambda: authorizerContext } } : {}),
      },
      ...(body.length > 0 ? { body: body.toString(isBase64Encoded ? 'base64' : 'utf8') } : {}),
      ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
      isBase64Encoded,
    };
    const fn = route ? route.spec.fn : options.defaultFunction;
    let result: unknown;
    try {
      const handler = await handlerFor(fn);
      result = await handler(event, lambdaContext(fn, requestId));
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'error', message: 'function threw', fn, requestId, error: String(error) }),
      );
      return gatewayAnswer(res, GATEWAY_ANSWERS.internal);
    }
    res.setHeader('apigw-requestid', requestId);
    writeLambdaResponse(res, result, cors);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
