// Binds the charge-session listings to their use cases. Both routes answer alike: the representation is
// chosen (format, else Accept), the continuation token is opened against a binding of the tenant and every
// shaping parameter, then either a JSON page (one Query) or a CSV file (Queries until a cap) is written.

import type { EntityRecord } from '../entities/domain.js';
import { requireEntity } from '../entities/service.js';
import {
  derConnectCsv,
  EXPORT_FORMAT_INFO,
  evchartCsv,
  toAtlasSession,
  toBecknSession,
} from '../exports/index.js';
import { type CursorBinding, openCursor, sealCursor } from '../http/cursor.js';
import { cursorSecret } from '../http/cursor-secret.js';
import { nextPageUrl, paginate } from '../http/pagination.js';
import { implement, type RouteResult } from '../http/route.js';
import { buildCsvResponse } from './csv-response.js';
import { csvHttpContext, evchartHttpContext, JSON_EXPORT_CONTEXT } from './export-context.js';
import { type ChargeSessionRecord, toChargeSessionResource } from './model.js';
import {
  assertFormatApplies,
  assertStatusApplies,
  CSV_MAX_QUERIES,
  CSV_MAX_RESPONSE_BYTES,
  CSV_QUERY_ITEMS,
  type CsvFormat,
  chooseRepresentation,
  isCsv,
  pageSizeFor,
  type Representation,
} from './query.js';
import { listEntitySessionsRoute, listSessionsRoute } from './routes.js';
import type { EntitySessionsQuery } from './schemas.js';
import { EntityNameCache, evchartRegistrations, type SessionSelection, sessionSource } from './service.js';

/** The representation depends on Accept, so caches must key on it. */
const VARY = { Vary: 'Accept' };

interface ListingRequest {
  operation: 'listEntitySessions' | 'listSessions';
  tenantId: string;
  query: EntitySessionsQuery;
  accept: string | undefined;
  now: Date;
  /** `baseUrl + path`, for next links. */
  url: string;
  selection: SessionSelection;
  /** Query parameters of the fleet route that select (carried into next links and the token binding). */
  filters: { entityId?: string | undefined; type?: 'EV' | 'CP' | undefined };
  /** The entity route's entity: read once per response, alongside the first Query. */
  entity?: () => Promise<EntityRecord>;
}

/**
 * The token binding: the operation and every parameter that shapes the result except pageSize. Dates
 * are canonical (two spellings of one instant share tokens); the format is the representation served,
 * so a token of a JSON walk never continues a CSV one.
 */
export function bindingQuery(operation: string, parameters: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const name of Object.keys(parameters).sort()) {
    const value = parameters[name];
    if (value !== undefined) params.set(name, value);
  }
  return `${operation}?${params.toString()}`;
}

function jsonItem(representation: Representation): (session: ChargeSessionRecord) => unknown {
  switch (representation) {
    case 'atlas':
      return (session) => toAtlasSession(session, JSON_EXPORT_CONTEXT);
    case 'beckn':
      return (session) => ({
        id: session.id,
        entityId: session.entityId,
        attributes: toBecknSession(session, JSON_EXPORT_CONTEXT),
      });
    default:
      return toChargeSessionResource;
  }
}

/** What both representations need once the request is read. */
interface Prepared {
  request: ListingRequest;
  pageSize: number;
  binding: CursorBinding;
  /** Query parameters carried into next links (pageSize is added by each representation). */
  linkQuery: Record<string, string | undefined>;
}

async function listSessions(request: ListingRequest): Promise<RouteResult> {
  const { query } = request;
  const representation = chooseRepresentation(query.format, request.accept);
  assertStatusApplies(representation, query.status);
  const shaping = { ...request.filters, start: query.start, end: query.end, status: query.status };
  const prepared = (csv: boolean): Prepared => ({
    request,
    pageSize: pageSizeFor(representation, query.pageSize),
    binding: {
      tenantId: request.tenantId,
      query: bindingQuery(request.operation, {
        ...shaping,
        entityId: request.selection.entityId,
        format: representation,
      }),
    },
    // A CSV chosen by Accept is named in its links, so they work without the header too.
    linkQuery: { ...shaping, format: csv ? representation : query.format },
  });
  return isCsv(representation)
    ? csvPage(prepared(true), representation)
    : jsonPage(prepared(false), representation);
}

/** One JSON page: one Query (and, on the entity route, the entity's GetItem sent with it). */
async function jsonPage({ request, pageSize, binding, linkQuery }: Prepared, representation: Representation) {
  const source = sessionSource(request.selection);
  const page = await paginate({
    binding,
    pageSize,
    continuationToken: request.query.continuationToken,
    now: request.now,
    url: request.url,
    query: linkQuery,
    fetch: async (startKey) => {
      // The entity read goes out with the Query (and the tenant's settings): a page is one round trip.
      const [entity, sessions] = await Promise.all([request.entity?.(), source.fetch(startKey, pageSize)]);
      if (entity) assertFormatApplies(representation, entity.type, `entity ${entity.id}`);
      return sessions;
    },
    map: jsonItem(representation),
  });
  return { status: 200, body: page, headers: VARY };
}

/** One CSV file: Queries until a cap (csv-response.ts), the next response named in a Link header. */
async function csvPage(
  { request, pageSize, binding, linkQuery }: Prepared,
  format: CsvFormat,
): Promise<RouteResult> {
  const { query, now } = request;
  const secret = await cursorSecret();
  const startKey = query.continuationToken
    ? openCursor(query.continuationToken, binding, secret, now)
    : undefined;
  const names = new EntityNameCache(request.tenantId);
  let selection = request.selection;
  if (!request.entity && format === 'evchart') {
    if (selection.entityType)
      assertFormatApplies(format, selection.entityType, `type=${selection.entityType}`);
    // EV-ChART holds charge points only: the fleet export lists them alone rather than failing on an EV.
    selection = { ...selection, entityType: 'CP' };
  }
  // The entity and the charger registrations (EV-ChART's station and port ids) are read together, once
  // per response: the chargers of the one entity exported, or of the whole tenant for a fleet export.
  const [entity, chargers] = await Promise.all([
    request.entity?.(),
    format === 'evchart' ? evchartRegistrations(request.tenantId, selection.entityId) : undefined,
  ]);
  if (entity) {
    assertFormatApplies(format, entity.type, `entity ${entity.id}`);
    names.remember(entity.id, entity.name);
  }
  const source = sessionSource(selection);
  const evchart = chargers ? evchartHttpContext(chargers) : undefined;
  const csvContext = csvHttpContext((id) => names.name(id));
  const result = await buildCsvResponse({
    startKey,
    fetch: source.fetch,
    position: source.position,
    onPage: async (sessions) => {
      if (!evchart) await names.load(sessions);
    },
    write: (sessions) => (evchart ? evchartCsv(sessions, evchart) : derConnectCsv(sessions, csvContext)),
    maxRows: pageSize,
    maxBytes: CSV_MAX_RESPONSE_BYTES,
    queryItems: CSV_QUERY_ITEMS,
    maxQueries: CSV_MAX_QUERIES,
  });
  const fileName = format === 'evchart' ? 'evchart-module2.csv' : 'charge-sessions.csv';
  const headers: Record<string, string> = {
    ...VARY,
    'Content-Disposition': `attachment; filename="${fileName}"`,
  };
  if (result.nextKey) {
    const token = sealCursor(result.nextKey, binding, secret, now);
    const next = nextPageUrl(request.url, { ...linkQuery, pageSize: query.pageSize }, token);
    headers.Link = `<${next}>; rel="next"`;
  }
  return {
    status: 200,
    headers,
    raw: { body: result.body, contentType: EXPORT_FORMAT_INFO[format].mediaType },
  };
}

export const sessionHandlers = [
  implement(listEntitySessionsRoute, async ({ caller, params, query, headers, now, baseUrl }) => {
    return listSessions({
      operation: 'listEntitySessions',
      tenantId: caller.tenantId,
      query,
      accept: headers.accept,
      now,
      url: `${baseUrl}/v1/entities/${encodeURIComponent(params.entityId)}/charge-sessions`,
      selection: {
        tenantId: caller.tenantId,
        range: { start: query.start, end: query.end },
        entityId: params.entityId,
        status: query.status,
      },
      filters: {},
      entity: () => requireEntity(caller.tenantId, params.entityId),
    });
  }),

  implement(listSessionsRoute, ({ caller, query, headers, now, baseUrl }) =>
    listSessions({
      operation: 'listSessions',
      tenantId: caller.tenantId,
      query,
      accept: headers.accept,
      now,
      url: `${baseUrl}/v1/charge-sessions`,
      selection: {
        tenantId: caller.tenantId,
        range: { start: query.start, end: query.end },
        entityId: query.entityId,
        entityType: query.type,
        status: query.status,
      },
      filters: { entityId: query.entityId, type: query.type },
    }),
  ),
];
