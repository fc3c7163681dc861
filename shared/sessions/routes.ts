// The charge-session listings, declared once (see shared/http/route.ts). Served by functions/sessions.ts.

import { EntityIdParams } from '../entities/schemas.js';
import { defineRoute, type ResponseSpec } from '../http/route.js';
import { CSV_MAX_RESPONSE_BYTES, CSV_MAX_ROWS, MAX_RANGE_DAYS } from './query.js';
import { EntitySessionsQuery, FleetSessionsQuery, SessionListCsv, SessionListJson } from './schemas.js';

const tags = ['Charge sessions'];

const listResponse: ResponseSpec = {
  description:
    'Sessions by start ascending: a JSON page (`{ data, links: { next }, meta: { continuationToken, pageSize } }`), or a CSV file with `format=csv|evchart` or `Accept: text/csv`.',
  schema: SessionListJson,
  alternatives: { 'text/csv': SessionListCsv },
  headers: {
    Link: {
      description: `CSV only, when more sessions remain: \`<url>; rel="next"\` (RFC 8288), the URL of the next CSV response. A CSV response holds at most pageSize rows (default ${CSV_MAX_ROWS}) and ends before ${CSV_MAX_RESPONSE_BYTES / 1024 / 1024} MiB; follow Link until it is absent. JSON pages give the same in links.next.`,
    },
    'Content-Disposition': { description: 'CSV only: `attachment` with a file name.' },
    Vary: { description: '`Accept`: the representation depends on it.' },
  },
};

const semantics = [
  '`start` is inclusive and `end` exclusive, compared at millisecond precision; both need an offset or Z.',
  `An explicit range spans at most ${MAX_RANGE_DAYS} days; without \`end\` the range is open.`,
  'Continuation tokens are sealed and bound to the tenant and to every parameter except pageSize: change anything else and start again (400 invalid_continuation_token). They expire after 24 hours.',
  'JSON formats (default, `atlas`, `beckn`) page alike. CSV formats (`csv`, `evchart`, or Accept: text/csv) answer one file per response, with the next one in the Link header; `format` wins over Accept.',
  "`format=evchart` refuses EVs (422 format_not_applicable) and takes station_id, network_provider, charger_id and port_id from your chargers' EV-ChART registrations (`evchart` and `connectors[].portId` on /v1/chargers), read once per response: a measured session from the charger and connector that measured it, as registered now while that charger is still linked to the entity and registers the connector's port (so a corrected id applies to past sessions too), else as registered when the session started (kept with the session, so a charger deleted, linked to another entity or unregistered since still reports its past sessions under the ids they were measured under); a calculated one (no connector) from the charge point's only registered port. A session whose identity is not registered, or whose port is ambiguous, is 422 export_unrepresentable, naming the field and why; no identifier is ever guessed.",
].join(' ');

export const listEntitySessionsRoute = defineRoute({
  operationId: 'listEntitySessions',
  method: 'GET',
  path: '/v1/entities/{entityId}/charge-sessions',
  fn: 'sessions',
  auth: { scope: 'sessions:read' },
  summary: "List an entity's charge sessions from a date, or export them",
  description: `One Query per page plus one read of the entity (its existence, type and name), whatever the length of its history; with \`format=evchart\`, also the entity's chargers (Query pages of the tenant's charger list on GSI1, filtered to the entity), once per response. ${semantics}`,
  tags,
  params: EntityIdParams,
  query: EntitySessionsQuery,
  responses: { 200: listResponse },
  errors: ['entity_not_found', 'not_acceptable', 'format_not_applicable', 'export_unrepresentable'],
});

export const listSessionsRoute = defineRoute({
  operationId: 'listSessions',
  method: 'GET',
  path: '/v1/charge-sessions',
  fn: 'sessions',
  auth: { scope: 'sessions:read' },
  summary: "List the tenant's charge sessions across entities (fleet), or export them",
  description: `One Query per page on the tenant's fleet index (GSI2, eventually consistent: a session stored a moment ago may show a moment later), or on the entity's own partition when \`entityId\` is given. An unknown \`entityId\` gives an empty list, like any filter. A CSV adds one BatchGetItem per Query page for the names of entities it has not seen yet. \`type\` filters, so pages can be short. With \`format=evchart\` only charge points are listed (as if \`type=CP\`), and the tenant's chargers are read once per response. ${semantics}`,
  tags,
  query: FleetSessionsQuery,
  responses: { 200: listResponse },
  errors: ['not_acceptable', 'format_not_applicable', 'export_unrepresentable'],
});

export const sessionRoutes = [listEntitySessionsRoute, listSessionsRoute];
