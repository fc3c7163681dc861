// Lambda: the HTTP API's request authorizer (see shared/auth/authorizer.ts for why it never denies).
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { authorizeRequest } from '../shared/auth/authorizer.js';

export const handler = (event: APIGatewayRequestAuthorizerEventV2) => authorizeRequest(event);
