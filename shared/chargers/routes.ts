// The operator's charger routes, declared once (see shared/http/route.ts). Served by functions/chargers.ts.
// Reads need `chargers:read`, changes and charger messages `chargers:write`: a dashboard can show
// chargers and sessions without being able to reprice them or inject meter values.

import { defineRoute } from '../http/route.js';
import { StatusNotificationRequest, TransactionEventRequest } from '../public-charging/ocpp.js';
import { ChargerConfig } from '../public-charging/schemas.js';
import {
  Charger,
  ChargerCodeParams,
  ChargerCommandList,
  ChargerCommandParams,
  ChargerCommandResultBody,
  ChargerEventOutcome,
  ChargerPage,
  ChargerSessionPage,
  ListChargerSessionsQuery,
  ListChargersQuery,
  OcppCallFrame,
  OcppCallResultFrame,
  OcppPasswordBody,
} from './schemas.js';

const tags = ['Chargers'];

export const createChargerRoute = defineRoute({
  operationId: 'createCharger',
  method: 'POST',
  path: '/v1/chargers',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: 'Register a charger for public charging',
  description:
    "The public code is unique across all operators (drivers type it); the charger belongs to one of your CP entities, whose measured sessions it records. For NEVI reporting, give its EV-ChART identity (`evchart`: station id, network provider, optional charger id) and each connector's `portId`: EV-ChART Module 2 exports of the entity's sessions (`format=evchart`) carry exactly these. They are shown to you only, never on the public charger.",
  tags,
  body: ChargerConfig,
  responses: {
    201: {
      description: 'The charger was registered.',
      schema: Charger,
      headers: { Location: { description: 'URL of the new charger.' } },
    },
  },
  errors: ['entity_not_found', 'public_code_taken'],
});

export const listChargersRoute = defineRoute({
  operationId: 'listChargers',
  method: 'GET',
  path: '/v1/chargers',
  fn: 'chargers',
  auth: { scope: 'chargers:read' },
  summary: 'List your chargers by public code',
  tags,
  query: ListChargersQuery,
  responses: { 200: { description: 'A page of chargers.', schema: ChargerPage } },
});

export const getChargerRoute = defineRoute({
  operationId: 'getCharger',
  method: 'GET',
  path: '/v1/chargers/{code}',
  fn: 'chargers',
  auth: { scope: 'chargers:read' },
  summary: 'Get a charger with its connector states',
  tags,
  params: ChargerCodeParams,
  responses: { 200: { description: 'The charger.', schema: Charger } },
  errors: ['charger_not_found'],
});

export const replaceChargerRoute = defineRoute({
  operationId: 'replaceCharger',
  method: 'PUT',
  path: '/v1/chargers/{code}',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: "Replace a charger's configuration",
  description:
    'Name, entity, public flag, online flag, connectors, pricing, hold and EV-ChART registration. The public code cannot change. Sessions in progress keep the prices they started with; a connector holding a session cannot be removed (409). EV-ChART exports read the registration as it is when they run (from an eventually consistent index: a change shows a moment later), for past sessions too: correcting a port id corrects every later export.',
  tags,
  params: ChargerCodeParams,
  body: ChargerConfig,
  responses: { 200: { description: 'The charger as now configured.', schema: Charger } },
  errors: ['charger_not_found', 'entity_not_found', 'charger_in_use'],
});

export const deleteChargerRoute = defineRoute({
  operationId: 'deleteCharger',
  method: 'DELETE',
  path: '/v1/chargers/{code}',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: 'Delete a charger',
  description: 'Refused (409) while public sessions hold any of its connectors. Its code becomes free.',
  tags,
  params: ChargerCodeParams,
  responses: { 204: { description: 'The charger was deleted.' } },
  errors: ['charger_not_found', 'charger_in_use'],
});

export const listChargerSessionsRoute = defineRoute({
  operationId: 'listChargerSessions',
  method: 'GET',
  path: '/v1/chargers/{code}/sessions',
  fn: 'chargers',
  auth: { scope: 'chargers:read' },
  summary: "List a charger's public charging sessions, newest first",
  description: "Without drivers' tokens or e-mail addresses.",
  tags,
  params: ChargerCodeParams,
  query: ListChargerSessionsQuery,
  responses: { 200: { description: 'A page of sessions.', schema: ChargerSessionPage } },
  errors: ['charger_not_found'],
});

export const postTransactionEventRoute = defineRoute({
  operationId: 'postTransactionEvent',
  method: 'POST',
  path: '/v1/chargers/{code}/transaction-events',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: "Relay a charger's OCPP 2.0.1 TransactionEvent",
  description:
    'The TransactionEventRequest payload exactly as the charger sent it (validated against the OCPP 2.0.1 JSON Schema). Started/Updated/Ended move the public session it belongs to; meter values update energy and cost. Safe to send twice, late or out of seqNo order.',
  tags,
  params: ChargerCodeParams,
  body: TransactionEventRequest,
  responses: { 200: { description: 'The message was applied.', schema: ChargerEventOutcome } },
  errors: ['charger_not_found'],
});

export const postStatusNotificationRoute = defineRoute({
  operationId: 'postStatusNotification',
  method: 'POST',
  path: '/v1/chargers/{code}/status-notifications',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: "Relay a charger's OCPP 2.0.1 StatusNotification",
  description:
    'Updates the connector status drivers see. A connector going Faulted or Unavailable fails a session that has not started charging and stops one that has.',
  tags,
  params: ChargerCodeParams,
  body: StatusNotificationRequest,
  responses: { 200: { description: 'The message was applied.', schema: ChargerEventOutcome } },
  errors: ['charger_not_found'],
});

export const postOcppCallRoute = defineRoute({
  operationId: 'postOcppCall',
  method: 'POST',
  path: '/v1/chargers/{code}/ocpp',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: 'Relay an OCPP-J CALL frame as the charger sent it',
  description:
    'For a CSMS that forwards WebSocket frames untouched: `[2, messageId, "TransactionEvent" | "StatusNotification", payload]`. Applied exactly like the two message routes; answered with the CALLRESULT `[3, messageId, {}]` to pass back to the charger. Field errors are named within the frame (`[3].seqNo`).',
  tags,
  params: ChargerCodeParams,
  body: OcppCallFrame,
  responses: { 200: { description: 'The CALLRESULT frame.', schema: OcppCallResultFrame } },
  errors: ['charger_not_found'],
});

export const listChargerCommandsRoute = defineRoute({
  operationId: 'listChargerCommands',
  method: 'GET',
  path: '/v1/chargers/{code}/commands',
  fn: 'chargers',
  auth: { scope: 'chargers:read' },
  summary: 'OCPP requests waiting to be sent to the charger',
  description:
    'RequestStartTransaction when a driver has paid, RequestStopTransaction when a session must stop. Your CSMS sends each to the charger and reports the answer; unanswered commands expire (start after 5 minutes, stop after 15).',
  tags,
  params: ChargerCodeParams,
  responses: { 200: { description: 'The waiting commands, oldest first.', schema: ChargerCommandList } },
  errors: ['charger_not_found'],
});

export const postCommandResultRoute = defineRoute({
  operationId: 'postChargerCommandResult',
  method: 'POST',
  path: '/v1/chargers/{code}/commands/{commandId}/result',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: "Report the charger's answer to a command",
  tags,
  params: ChargerCommandParams,
  body: ChargerCommandResultBody,
  responses: { 200: { description: 'The answer was applied.', schema: ChargerEventOutcome } },
  errors: ['charger_not_found', 'command_not_found'],
});

export const putOcppPasswordRoute = defineRoute({
  operationId: 'putChargerOcppPassword',
  method: 'PUT',
  path: '/v1/chargers/{code}/ocpp-password',
  fn: 'chargers',
  auth: { scope: 'chargers:write' },
  summary: "Set or rotate the charger's OCPP-J password",
  description:
    'For chargers that connect to our OCPP 2.0.1 gateway themselves (`wss://…/ocpp/{code}`, security profile 1 or 2): the password the charger presents, with its code as the user name, in HTTP Basic auth. A connection already open stays open; the next handshake needs the new password. Set the same value on the charger (SecurityCtrlr.BasicAuthPassword) before or right after. From then on `online` follows its connection: a charger not connected now shows offline until it connects.',
  tags,
  params: ChargerCodeParams,
  body: OcppPasswordBody,
  responses: { 204: { description: 'The password was set.' } },
  errors: ['charger_not_found'],
});

export const chargerRoutes = [
  createChargerRoute,
  listChargersRoute,
  getChargerRoute,
  replaceChargerRoute,
  deleteChargerRoute,
  listChargerSessionsRoute,
  postTransactionEventRoute,
  postStatusNotificationRoute,
  postOcppCallRoute,
  listChargerCommandsRoute,
  postCommandResultRoute,
  putOcppPasswordRoute,
];
