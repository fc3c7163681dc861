// The API Gateway Lambda authorizer (HTTP API, simple responses, called on every protected request: see
// shared/auth/gateway.ts).
//
// It authenticates; the function behind the route authorizes. API Gateway can only answer a denied
// request with a bare 403, but a missing, unknown, expired or revoked token must get 401 with a problem
// document, so the authorizer always lets the request through and puts its verdict in the context:
// `{ tenantId, tokenId, scopes }` for a valid token, `{ authError }` otherwise (`missing_token` when no
// Authorization header came, so the 401 can say `WWW-Authenticate: Bearer` without an error, RFC 6750
// section 3.1). shared/http/handler.ts refuses every protected route whose context carries no tenantId
// (deny by default). A lookup that fails is `unavailable`, answered 503 by the function.

import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { logger } from '../logger.js';
import { findApiTokenByHash } from '../storage/api-tokens.js';
import { authenticate } from './authenticate.js';

export type AuthorizerContext =
  | { tenantId: string; tokenId: string; scopes: string; authError?: undefined }
  | {
      authError: 'invalid_token' | 'missing_token' | 'unavailable';
      tenantId?: undefined;
      tokenId?: undefined;
      scopes?: undefined;
    };

export async function authorizeRequest(
  event: APIGatewayRequestAuthorizerEventV2,
  now: Date = new Date(),
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const header = event.headers?.authorization ?? event.identitySource?.[0];
  let result: Awaited<ReturnType<typeof authenticate>>;
  try {
    result = await authenticate(header, findApiTokenByHash, now);
  } catch (error) {
    // The token lookup failed (DynamoDB throttling or failing). Thrown, it would be API Gateway's bare
    // 500 on every protected request, as nothing caches the authorizer's answers; passed on, the
    // function answers 503 service_unavailable with Retry-After, like any other read that fails.
    logger.warn('token lookup failed', { error: String(error), requestId: event.requestContext?.requestId });
    return { isAuthorized: true, context: { authError: 'unavailable' } };
  }
  if (!result.ok) {
    logger.info('token rejected', { reason: result.reason, requestId: event.requestContext?.requestId });
    const authError = result.reason === 'missing' ? 'missing_token' : 'invalid_token';
    return { isAuthorized: true, context: { authError } };
  }
  const { tenantId, tokenId, scopes } = result.principal;
  return { isAuthorized: true, context: { tenantId, tokenId, scopes: scopes.join(' ') } };
}
