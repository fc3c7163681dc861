// The operator's charger API: request and response schemas (camelCase like the rest of our API; the
// configuration itself is public-charging's ChargerConfig). Validation, types and OpenAPI in one.

import * as z from 'zod/mini';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { OCPP_PASSWORD_MAX, OCPP_PASSWORD_MIN } from '../ocpp/passwords.js';
import { OCPP_CONNECTOR_STATUSES, STOPPED_REASONS } from '../public-charging/ocpp.js';
import {
  ChargerPricing,
  CONNECTOR_TYPES,
  EvchartStationRegistration,
  FAILURE_REASONS,
  PUBLIC_CODE_PATTERN,
  PUBLIC_CONNECTOR_STATUSES,
  PUBLIC_SESSION_STATUSES,
} from '../public-charging/schemas.js';
import { boundedString, trimmedString } from '../schema.js';

/**
 * A charger code in a path. Lenient on purpose (any case, any text up to 64 characters): a code that
 * cannot exist is simply not found, as the reference answers (404), rather than a validation error.
 */
export const ChargerCodeParams = z.strictObject({
  code: trimmedString(1, 64).check(
    z.toUpperCase(),
    z.meta({
      example: 'AMS-042',
      description: 'The public code, in any case. A code that cannot exist is simply not found (404).',
      // What a public code can be (PUBLIC_CODE_PATTERN, any case): clients need not try anything else.
      pattern: `^${PUBLIC_CODE_PATTERN.source.slice(1, -1).replaceAll('A-Z', 'A-Za-z')}$`,
    }),
  ),
});

export const ChargerCommandParams = z.strictObject({
  code: ChargerCodeParams.shape.code,
  commandId: boundedString(1, 80),
});

export const ListChargersQuery = z.strictObject({ ...pageQueryFields });
export const ListChargerSessionsQuery = z.strictObject({ ...pageQueryFields });

export const ChargerConnector = z
  .object({
    connectorId: z.int(),
    type: z.enum(CONNECTOR_TYPES),
    maxPowerKw: z.number(),
    evseId: z.int(),
    evseConnectorId: z.int(),
    portId: z
      .nullable(z.string())
      .check(z.meta({ description: "EV-ChART port_id of the connector's port; null when not registered." })),
    ocppStatus: z.nullable(z.enum(OCPP_CONNECTOR_STATUSES)).check(
      z.meta({
        description: 'The latest OCPP 2.0.1 StatusNotification; null until the charger reported one.',
      }),
    ),
    status: z.nullable(z.enum(PUBLIC_CONNECTOR_STATUSES)).check(
      z.meta({
        description: 'The status drivers see (OCPP 1.6 names, derived from status and transaction).',
      }),
    ),
    activeSessionId: z
      .nullable(z.string())
      .check(
        z.meta({ description: 'The public session holding the connector (created … stopping), if any.' }),
      ),
  })
  .check(z.meta({ id: 'ChargerConnector' }));

export const Charger = z
  .object({
    publicCode: z.string(),
    name: z.string(),
    entityId: z.string(),
    public: z.boolean(),
    online: z.boolean(),
    connectors: z.array(ChargerConnector),
    // The charger's own, or the headline (first ENERGY and FLAT, with VAT) of its tariff when registered.
    pricing: ChargerPricing,
    tariffId: z
      .nullable(z.string())
      .check(z.meta({ description: 'The tariff that prices its sessions; null when its `pricing` does.' })),
    holdAmount: z.int(),
    evchart: z.nullable(EvchartStationRegistration).check(
      z.meta({
        description:
          'Its identity in EV-ChART, which EV-ChART Module 2 exports of its sessions carry; null when not registered. Not shown on the public charger.',
      }),
    ),
    created: z.iso.datetime(),
    updated: z.iso.datetime(),
  })
  .check(z.meta({ id: 'Charger' }));

export const ChargerPage = pageSchema(Charger, 'ChargerPage');

export const ChargerSession = z
  .object({
    id: z
      .string()
      .check(z.meta({ description: 'The session id; also the OCPP idToken of its remote start.' })),
    status: z.enum(PUBLIC_SESSION_STATUSES),
    failureReason: z.nullable(z.enum(FAILURE_REASONS)),
    connectorId: z.int(),
    transactionId: z.nullable(z.string()),
    stoppedReason: z.nullable(z.enum(STOPPED_REASONS)),
    currency: z.string(),
    amountAuthorized: z.int(),
    energyKwh: z.nullable(z.string()),
    costAmount: z.nullable(z.int()),
    amountCaptured: z.nullable(z.int()),
    taxAmount: z.nullable(z.int()),
    amountRefunded: z.nullable(z.int()),
    createdAt: z.iso.datetime(),
    authorizedAt: z.nullable(z.iso.datetime()),
    chargingStartedAt: z.nullable(z.iso.datetime()),
    completedAt: z.nullable(z.iso.datetime()),
    capturedAt: z.nullable(z.iso.datetime()),
  })
  .check(
    z.meta({
      id: 'ChargerSession',
      description:
        "A public session as the operator sees it: no token and no driver e-mail (drivers' privacy).",
    }),
  );

export const ChargerSessionPage = pageSchema(ChargerSession, 'ChargerSessionPage');

export const ChargerEventOutcome = z
  .object({
    chargerCode: z.string(),
    connectorId: z
      .nullable(z.int())
      .check(z.meta({ description: 'The connector the message was about, if known.' })),
    session: z
      .nullable(z.object({ id: z.string(), status: z.enum(PUBLIC_SESSION_STATUSES) }))
      .check(
        z.meta({ description: 'The public session the message moved, or null when it belongs to none.' }),
      ),
  })
  .check(z.meta({ id: 'ChargerEventOutcome' }));

const commandFields = { commandId: z.string(), sessionId: z.string(), created: z.iso.datetime() };
const sendAsIs = (description: string) =>
  z.meta({ description: `${description} The OCPP 2.0.1 request payload to send to the charger as is.` });

/** The OCPP 2.0.1 RequestStartTransactionRequest this API asks for (public-sessions/engine.ts). */
const RequestStartTransactionRequest = z
  .object({
    evseId: z.int(),
    remoteStartId: z.int(),
    idToken: z.object({ idToken: z.string(), type: z.literal('Central') }),
  })
  .check(sendAsIs('RequestStartTransactionRequest: idToken is the session id.'));

const RequestStopTransactionRequest = z
  .object({ transactionId: z.string() })
  .check(sendAsIs('RequestStopTransactionRequest.'));

export const ChargerCommand = z
  .discriminatedUnion('action', [
    z.object({
      ...commandFields,
      action: z.literal('RequestStartTransaction'),
      request: RequestStartTransactionRequest,
    }),
    z.object({
      ...commandFields,
      action: z.literal('RequestStopTransaction'),
      request: RequestStopTransactionRequest,
    }),
  ])
  .check(z.meta({ id: 'ChargerCommand' }));

export const ChargerCommandList = z
  .object({ data: z.array(ChargerCommand) })
  .check(z.meta({ id: 'ChargerCommandList' }));

export const ChargerCommandResultBody = z
  .strictObject({
    status: z
      .enum(['Accepted', 'Rejected'])
      .check(z.meta({ description: "The charger's RequestStartStopStatusEnumType answer." })),
  })
  .check(z.meta({ id: 'ChargerCommandResult' }));

/** OCPP-J (OCPP over WebSocket's framing): a CALL as the charger sent it, relayed as is. */
export const OcppCallFrame = z
  .tuple([
    z.literal(2).check(z.meta({ description: 'MessageTypeId 2: CALL.' })),
    boundedString(1, 36).check(z.meta({ description: 'The unique message id, echoed in the CALLRESULT.' })),
    z.enum(['TransactionEvent', 'StatusNotification']),
    z.record(z.string(), z.unknown()).check(
      z.meta({
        description:
          'TransactionEventRequest or StatusNotificationRequest, validated as on their own routes.',
      }),
    ),
  ])
  .check(
    z.meta({
      id: 'OcppCallFrame',
      // The payload's schema follows the action (the handler validates it as on the action's own route).
      oneOf: [
        ['TransactionEvent', 'OcppTransactionEventRequest'],
        ['StatusNotification', 'OcppStatusNotificationRequest'],
      ].map(([action, payload]) => ({
        prefixItems: [{}, {}, { const: action }, { $ref: `#/$defs/${payload}` }],
      })),
    }),
  );

export const OcppCallResultFrame = z.tuple([z.literal(3), z.string(), z.object({})]).check(
  z.meta({
    id: 'OcppCallResultFrame',
    description: 'MessageTypeId 3: CALLRESULT, to pass back to the charger.',
  }),
);

export const OcppPasswordBody = z
  .strictObject({
    password: z.string().check(
      z.minLength(OCPP_PASSWORD_MIN),
      z.maxLength(OCPP_PASSWORD_MAX),
      z.meta({
        description:
          "The charger's OCPP 2.0.1 BasicAuthPassword (16–40 characters), which it sends with its station id as HTTP Basic credentials when it connects to /ocpp/{code}. Stored only as a scrypt hash.",
      }),
    ),
  })
  .check(z.meta({ id: 'OcppPassword' }));
