// The public charging routes (Plugchoice's public charging API): no bearer token — drivers have no
// account; the session token is the credential of a session. Served by functions/public-charging.ts.
// Each route's `auth.public` reason is also the stack's acknowledgement of cdk-nag's APIG4 finding.

import * as z from 'zod/mini';
import { ChargerCodeParams } from '../chargers/schemas.js';
import { defineRoute, type ResponseSpec } from '../http/route.js';
import {
  PublicCharger,
  PublicSession,
  PublicSessionCreated,
  StartPublicSessionBody,
} from '../public-charging/schemas.js';
import { SESSION_TOKEN_PATTERN } from '../public-charging/tokens.js';
import { boundedString } from '../schema.js';

const tags = ['Public charging'];

export const SessionTokenParams = z.strictObject({
  token: boundedString(1, 128).check(
    z.meta({
      description:
        'The session token returned when the session was started. Any other shape is simply not found (404), without a lookup.',
      pattern: SESSION_TOKEN_PATTERN.source,
    }),
  ),
});

const rateLimitHeaders: ResponseSpec['headers'] = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the current one-minute window.' },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window.' },
};

const TOKEN_IS_CREDENTIAL =
  'Drivers have no account: the 192-bit session token in the path is the credential, looked up by its hash; rate limited per token in code.';

/**
 * Each route's API Gateway throttle (all drivers together, requests per second): far above what the
 * chargers of one operator generate (a driver polls a session every few seconds, starts a handful an
 * hour), low enough that a flood from many addresses is refused before it reaches Lambda. Starting is
 * the tightest: every start creates a payment hold.
 */
const THROTTLE = {
  lookup: { rateLimit: 50, burstLimit: 100 },
  start: { rateLimit: 10, burstLimit: 20 },
  poll: { rateLimit: 100, burstLimit: 200 },
  command: { rateLimit: 20, burstLimit: 40 },
} as const;

export const getPublicChargerRoute = defineRoute({
  operationId: 'getPublicCharger',
  method: 'GET',
  path: '/v1/public-charging/chargers/{code}',
  fn: 'public-charging',
  auth: {
    public:
      'Drivers look a charger up by the code printed on it, without an account; only public chargers answer and the route is rate limited per IP in code.',
    throttle: THROTTLE.lookup,
  },
  summary: 'Look up a public charger by its code',
  description:
    'Its connectors and whether each is available, its prices and the hold. Rate limited to 30 requests per minute per IP.',
  tags,
  params: ChargerCodeParams,
  responses: { 200: { description: 'The charger.', schema: PublicCharger, headers: rateLimitHeaders } },
  errors: ['charger_not_found', 'rate_limited'],
});

export const startPublicSessionRoute = defineRoute({
  operationId: 'startPublicSession',
  method: 'POST',
  path: '/v1/public-charging/sessions',
  fn: 'public-charging',
  auth: {
    public:
      'Drivers start a paid session without an account; the payment hold is the commitment. Rate limited per IP and per charger in code.',
    throttle: THROTTLE.start,
  },
  summary: 'Start a public charging session',
  description:
    'Creates the session in `created` with a payment hold for the charger’s hold amount and claims the connector. The answer carries the session token (keep it: it is the only way to reach the session) and, while `created`, the Stripe payment context. Rate limited to 3 requests per minute per IP, and to 12 successful starts per hour per charger.',
  tags,
  body: StartPublicSessionBody,
  responses: {
    201: { description: 'The session was created.', schema: PublicSessionCreated, headers: rateLimitHeaders },
  },
  errors: [
    'charger_not_found',
    'charger_offline',
    'connector_not_found',
    'connector_unavailable',
    'rate_limited',
  ],
});

export const getPublicSessionRoute = defineRoute({
  operationId: 'getPublicSession',
  method: 'GET',
  path: '/v1/public-charging/sessions/{token}',
  fn: 'public-charging',
  auth: { public: TOKEN_IS_CREDENTIAL, throttle: THROTTLE.poll },
  summary: 'Get a public charging session',
  description:
    'Poll it to follow the session. `payment` is present only while `created`. Rate limited to 30 requests per minute per token; 404 when the token is unknown or has expired (30 days after the session ended).',
  tags,
  params: SessionTokenParams,
  responses: { 200: { description: 'The session.', schema: PublicSession, headers: rateLimitHeaders } },
  errors: ['session_not_found', 'rate_limited'],
});

function commandRoute<const C extends 'confirm' | 'stop' | 'cancel'>(
  command: C,
  summary: string,
  description: string,
) {
  return defineRoute({
    operationId: `${command}PublicSession` as const,
    method: 'POST',
    path: `/v1/public-charging/sessions/{token}/${command}` as const,
    fn: 'public-charging',
    auth: { public: TOKEN_IS_CREDENTIAL, throttle: THROTTLE.command },
    summary,
    description: `${description} Rate limited to 10 requests per minute per token (confirm, stop and cancel together).`,
    tags,
    params: SessionTokenParams,
    responses: {
      200: { description: 'The session afterwards.', schema: PublicSession, headers: rateLimitHeaders },
    },
    errors: [
      'session_not_found',
      'illegal_transition',
      'rate_limited',
      ...(command === 'confirm' ? (['payment_not_authorized'] as const) : []),
    ],
  });
}

export const confirmPublicSessionRoute = commandRoute(
  'confirm',
  'Confirm the payment and start charging',
  'Call after the payment was completed in the app: the hold is checked with the payment provider (409 `payment_not_authorized` if it is not in place) and the charger is asked to start. Repeating it is harmless.',
);
export const stopPublicSessionRoute = commandRoute(
  'stop',
  'Stop charging',
  'Moves a charging session to `stopping`; it settles when the charger ends the transaction. 409 before charging began (use cancel).',
);
export const cancelPublicSessionRoute = commandRoute(
  'cancel',
  'Cancel a session before charging',
  'Only from `created`, `authorized` or `starting` (else 409); releases the hold and the connector.',
);

export const publicSessionRoutes = [
  getPublicChargerRoute,
  startPublicSessionRoute,
  getPublicSessionRoute,
  confirmPublicSessionRoute,
  stopPublicSessionRoute,
  cancelPublicSessionRoute,
];
