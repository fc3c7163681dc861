// Authentication of a third-party app's bearer token: pure rules over a token record, with the lookup
// and the time passed in. The reason for a rejection is for logs only; callers answer 401 whatever it is.

import type { ApiTokenRecord } from '../storage/api-tokens.js';
import type { Scope } from './scopes.js';
import { bearerToken, hashApiToken, isWellFormedApiToken } from './tokens.js';

export interface Principal {
  tenantId: string;
  tokenId: string;
  scopes: Scope[];
}

export type RejectionReason = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked';

export type AuthenticationResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: RejectionReason };

export async function authenticate(
  authorizationHeader: string | undefined,
  findByHash: (tokenHash: string) => Promise<ApiTokenRecord | undefined>,
  now: Date,
): Promise<AuthenticationResult> {
  if (!authorizationHeader) return { ok: false, reason: 'missing' };
  const token = bearerToken(authorizationHeader);
  if (!token || !isWellFormedApiToken(token)) return { ok: false, reason: 'malformed' };
  const record = await findByHash(hashApiToken(token));
  if (!record) return { ok: false, reason: 'unknown' };
  if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
  if (Date.parse(record.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    principal: { tenantId: record.tenantId, tokenId: record.tokenId, scopes: record.scopes },
  };
}
