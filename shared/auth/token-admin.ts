// Issuing, listing and revoking API tokens: used by the token CLI, by `npm start` for the demo tenant,
// and by tests. The token itself is returned once, at issue; only its hash is stored.

import { ValidationError } from '../errors.js';
import { TENANT_ID_PATTERN, uuidv7 } from '../ids.js';
import { type ApiTokenRecord, listApiTokens, putApiToken, revokeApiToken } from '../storage/api-tokens.js';
import { isScope, SCOPES, type Scope } from './scopes.js';
import { generateApiToken, hashApiToken } from './tokens.js';

export interface IssueTokenOptions {
  tenantId: string;
  scopes?: readonly string[];
  name?: string;
  /** Lifetime in milliseconds; default 90 days. */
  lifetimeMs?: number;
}

export const DEFAULT_TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;

export function assertTenantId(tenantId: string): void {
  if (!TENANT_ID_PATTERN.test(tenantId)) {
    throw new ValidationError(
      'validation_failed',
      `Tenant ids are 2–63 characters of a–z, 0–9 and '-': '${tenantId}'.`,
    );
  }
}

export async function issueApiToken(
  options: IssueTokenOptions,
  now: Date,
): Promise<{ token: string; record: ApiTokenRecord }> {
  assertTenantId(options.tenantId);
  const scopes = [...new Set(options.scopes ?? SCOPES)];
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length > 0) {
    throw new ValidationError(
      'validation_failed',
      `Unknown scopes: ${unknown.join(', ')}. Known: ${SCOPES.join(', ')}.`,
    );
  }
  const lifetimeMs = options.lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  if (!(lifetimeMs > 0)) throw new ValidationError('validation_failed', 'A token lifetime must be positive.');
  const token = generateApiToken();
  const record: ApiTokenRecord = {
    tokenId: uuidv7(now.getTime()),
    tenantId: options.tenantId,
    name: options.name ?? 'unnamed',
    scopes: scopes as Scope[],
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + lifetimeMs).toISOString(),
    revokedAt: null,
  };
  await putApiToken(hashApiToken(token), record);
  return { token, record };
}

export function listTokens(tenantId: string): Promise<ApiTokenRecord[]> {
  assertTenantId(tenantId);
  return listApiTokens(tenantId);
}

export function revokeToken(tenantId: string, tokenId: string, now: Date): Promise<boolean> {
  assertTenantId(tenantId);
  return revokeApiToken(tenantId, tokenId, now.toISOString());
}
