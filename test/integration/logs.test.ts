// Logs are structured JSON with a request id, and never carry a secret: API tokens, their SHA-256
// hashes, public-session tokens and their hashes, driver e-mail addresses. Every line the API writes
// while serving flows that handle all of those (including rejected and malformed tokens) is captured
// and searched.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiToken } from '../../shared/auth/tokens.js';
import { logSink } from '../../shared/logger.js';
import { hashSessionToken } from '../../shared/public-charging/tokens.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTenantFixtures, loopbackAddress, type TenantFixtures } from '../support/fixtures.js';

let api: TestApi;
const lines: string[] = [];
const originalWrite = logSink.write;
const originalError = console.error;
let tenant: TenantFixtures;
const email = 'driver.secret@example.com';
let sessionToken = '';

beforeAll(async () => {
  process.env.LOG_LEVEL = 'debug';
  const { resetConfig } = await import('../../shared/config.js');
  resetConfig();
  logSink.write = (line) => {
    lines.push(line);
  };
  console.error = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  api = await startTestApi();
  tenant = await createTenantFixtures(api, 'logs-tenant');
  const started = await api.request('POST', '/v1/public-charging/sessions', {
    sourceIp: loopbackAddress(),
    body: { code: tenant.chargerCode, connector_id: 2, email },
  });
  expect(started.status).toBe(201);
  sessionToken = started.body.token;
  await api.request('GET', `/v1/public-charging/sessions/${sessionToken}`);
  await api.request('POST', `/v1/public-charging/sessions/${sessionToken}/confirm`);
  await api.request('POST', `/v1/public-charging/sessions/${sessionToken}/cancel`);
  // Rejections log their reason; they must not log what was presented.
  await api.request('GET', '/v1/entities', { token: `${tenant.token.slice(0, -1)}x` });
  await api.request('GET', '/v1/entities', {
    headers: { authorization: 'Bearer not-a-token-but-secret-looking' },
  });
  await api.request('GET', '/v1/public-charging/sessions/pcs_nonexistenttokenvalue000000000000000000');
  await api.request('POST', '/v1/entities', {
    token: tenant.token,
    rawBody: '{"broken":',
    headers: { 'content-type': 'application/json' },
  });
});
afterAll(async () => {
  logSink.write = originalWrite;
  console.error = originalError;
  await api.close();
});

describe('logs', () => {
  it('are written, one JSON object a line, each with a request id where a request is served', () => {
    const requests = lines.filter((line) => line.includes('"message":"request"'));
    expect(requests.length).toBeGreaterThan(10);
    for (const line of requests) {
      const record = JSON.parse(line);
      expect(record).toMatchObject({
        level: expect.any(String),
        requestId: expect.any(String),
        routeKey: expect.any(String),
        status: expect.any(Number),
      });
    }
  });

  it('never contain a token, a token hash, a session token or its hash, or an e-mail address', () => {
    const text = lines.join('\n');
    const secrets = {
      'API token': tenant.token,
      'API token hash': hashApiToken(tenant.token),
      'session token': sessionToken,
      'session token hash': hashSessionToken(sessionToken),
      'presented bad token': 'not-a-token-but-secret-looking',
      'driver e-mail': email,
    };
    for (const [what, secret] of Object.entries(secrets)) expect(text.includes(secret), what).toBe(false);
    expect(text).not.toMatch(/evs_[A-Za-z0-9_-]{20,}/);
    expect(text).not.toMatch(/pcs_[A-Za-z0-9_-]{20,}/);
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);
  });
});
