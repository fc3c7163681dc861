// The integration harness: a fresh table on the project's embedded DynamoDB and the local runner on a
// free port, in this test file's process, so tests go through real HTTP, the real authorizer and the
// real handler modules. Given/when helpers keep tests short.

import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { inject } from 'vitest';
import { ensureTable } from '../../infra/local/dynamo.js';
import type { startProjectApi as StartProjectApi } from '../../infra/local/project-api.js';
import type { LocalApi } from '../../infra/local/server.js';

type ProjectApiOptions = NonNullable<Parameters<typeof StartProjectApi>[0]>;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /**
   * Connect from this loopback address (127.0.0.0/8), so the runner sees it as the client IP, as API
   * Gateway's sourceIp: per-IP rate limits can then be tested per test.
   */
  sourceIp?: string;
}

export interface TestApi {
  url: string;
  tableName: string;
  endpoint: string;
  backend: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Issues a token for a tenant (all scopes unless given). */
  token(tenantId: string, options?: { scopes?: string[]; lifetimeMs?: number; now?: Date }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApi(
  options: { wrapHandler?: ProjectApiOptions['wrapHandler'] } = {},
): Promise<TestApi> {
  const endpoint = inject('dynamoEndpoint');
  const backend = inject('dynamoBackend');
  const tableName = `evs-test-${randomUUID()}`;
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.CURSOR_SECRET = randomBytes(32).toString('base64url');
  await ensureTable(endpoint, tableName);
  const { startProjectApi } = await import('../../infra/local/project-api.js');
  const { issueApiToken } = await import('../../shared/auth/token-admin.js');
  const api: LocalApi = await startProjectApi({
    ...(options.wrapHandler ? { wrapHandler: options.wrapHandler } : {}),
  });

  return {
    url: api.url,
    tableName,
    endpoint,
    backend,
    async request(method, path, { token, body, rawBody, headers = {}, sourceIp } = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      const h = init.headers as Record<string, string>;
      if (token) h.authorization = `Bearer ${token}`;
      if (rawBody !== undefined) init.body = rawBody;
      else if (body !== undefined) {
        init.body = JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
      const response = sourceIp
        ? await requestFrom(
            sourceIp,
            `${api.url}${path}`,
            method,
            h,
            init.body as string | Buffer | undefined,
          )
        : await fetch(`${api.url}${path}`, init);
      const text = await response.text();
      let parsed: unknown = text;
      if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
      return { status: response.status, headers: response.headers, body: parsed as any, text };
    },
    async token(tenantId, { scopes, lifetimeMs, now } = {}) {
      const { token } = await issueApiToken(
        { tenantId, scopes, lifetimeMs, name: 'test' },
        now ?? new Date(),
      );
      return token;
    },
    close: () => api.close(),
  };
}

/** A request over node:http bound to a local address (fetch cannot choose one), answered as a Response. */
function requestFrom(
  localAddress: string,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    // A framed body, as any real client sends: Node does not chunk GET/DELETE bodies by default.
    const framed =
      body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(url, { method, headers: framed, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const status = res.statusCode ?? 0;
        const payload = Buffer.concat(chunks);
        resolve(
          new Response(status === 204 || status === 304 ? null : payload, {
            status,
            headers: responseHeaders,
          }),
        );
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
