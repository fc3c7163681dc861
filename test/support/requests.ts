// Requests most integration tests begin with (an entity, a charger), and the check of a problem answer:
// one copy here, so a change to the API's contract is followed in one place.

import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { chargerConfigInput } from '../fixtures/ocpp/builders.js';
import type { ApiResponse, RequestOptions } from './api.js';
import type { TestEntity } from './sessions.js';

/** Whatever sends API requests: the harness, or a test's own client (one that retries, say). */
export interface Requester {
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
}

/**
 * Follows a listing's links.next from `path` to the end and returns every page's body, each a 200 whose
 * continuation token is given exactly when a next link is. `api.url` is the base the links carry.
 */
export async function walkPages(
  api: Requester & { url: string },
  path: string,
  token: string,
  maxPages = 500,
): Promise<any[]> {
  const pages: any[] = [];
  let next: string | null = path;
  while (next) {
    const response: ApiResponse = await api.request('GET', next, { token });
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    pages.push(response.body);
    expect(response.body.meta.continuationToken === null).toBe(response.body.links.next === null);
    next = response.body.links.next ? String(response.body.links.next).slice(api.url.length) : null;
    expect(pages.length).toBeLessThan(maxPages);
  }
  return pages;
}

/** A charger code no other test uses (public codes are global, across tenants). */
export function freshChargerCode(): string {
  return `F${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 9);
}

/** An `application/problem+json` answer with this status and code, and the members every problem has. */
export function expectProblem(response: ApiResponse, status: number, code: string): void {
  expect(response.status, response.text.slice(0, 500)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status, code, type: `/problems/${code}` });
  expect(typeof response.body.title).toBe('string');
  expect(typeof response.body.detail).toBe('string');
}

export interface EntityInput {
  type: 'EV' | 'CP';
  name: string;
  [field: string]: unknown;
}

/** Creates an entity (201); with `capture`, switches CaptureChargeSessions on too. */
export async function createEntity(
  api: Requester,
  token: string,
  body: EntityInput,
  options: { capture?: boolean } = {},
): Promise<TestEntity> {
  const created = await api.request('POST', '/v1/entities', { token, body });
  expect(created.status, created.text).toBe(201);
  if (options.capture) {
    const enabled = await api.request('PATCH', `/v1/entities/${created.body.id}/features`, {
      token,
      body: { feature: 'CaptureChargeSessions', enabled: true },
    });
    expect(enabled.status, enabled.text).toBe(200);
  }
  return { id: created.body.id, type: body.type };
}

/**
 * Registers a charger of the CP entity `entityId` (201) under a fresh code, which it returns: the
 * builders' configuration (two connectors, EUR pricing, €50 hold) with `overrides` on top.
 */
export async function registerCharger(
  api: Requester,
  token: string,
  entityId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const body = chargerConfigInput({ publicCode: freshChargerCode(), entityId, ...overrides });
  const response = await api.request('POST', '/v1/chargers', { token, body });
  expect(response.status, response.text).toBe(201);
  return body.publicCode as string;
}
