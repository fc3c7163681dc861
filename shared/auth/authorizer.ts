// The API Gateway Lambda authorizer (HTTP API, simple responses, cached 60 s per Authorization value).
//
// It authenticates; the function behind the route authorizes. API Gateway can only answer a denied
// request with a bare 403, but an unknown, expired or revoked token must get 401 with a problem document,
// so the authorizer always lets the request through and puts its verdict in the context:
// `{ tenantId, tokenId, scopes }` for a valid token, `{ authError }` otherwise. shared/http/handler.ts
// refuses every protected route whose context carries no tenantId (deny by default).

import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { logger } from '../logger.js';
import { findApiTokenByHash } from '../storage/api-tokens.js';
import { authenticate } from './authenticate.js';

export type AuthorizerContext =
  | { tenantId: string; tokenId: string; scopes: string; authError?: undefined }
  | { authError: 'invalid_token'; tenantId?: undefined; tokenId?: undefined; scopes?: undefined };

export async function authorizeRequest(
  event: APIGatewayRequestAuthorizerEventV2,
  now: Date = new Date(),
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const header = event.headers?.authorization ?? event.identitySource?.[0];
  const result = await authenticate(header, findApiTokenByHash, now);
  if (!result.ok) {
    logger.info('token rejected', { reason: result.reason, requestId: event.requestContext?.requestId });
    return { isAuthorized: true, context: { authError: 'invalid_token' } };
  }
  const { tenantId, tokenId, scopes } = result.principal;
  return { isAuthorized: true, context: { tenantId, tokenId, scopes: scopes.join(' ') } };
}
