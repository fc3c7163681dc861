// The charge-session listings' request and response schemas: validation, TypeScript types and OpenAPI in
// one. The Atlas and Beckn item schemas here document the export shapes in OpenAPI; the authoritative
// checks are the JSON Schemas built from the public sources in test/schemas/, which the tests apply.

import * as z from 'zod/mini';
import { EntityType, entityIdFilter } from '../entities/schemas.js';
import {
  BECKN_CONNECTOR_TYPES,
  BECKN_CONTEXT,
  BECKN_MIN_MAX_POWER_KW,
  BECKN_SESSION_STATUSES,
  BECKN_TYPE,
} from '../exports/beckn.js';
import { DER_CONNECT_CSV_COLUMNS, EVCHART_MODULE2_COLUMNS, EXPORT_FORMATS } from '../exports/index.js';
import { PAYMENT_TYPES } from '../exports/session-facts.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageQueryFields, pageSchema } from '../http/pagination.js';
import { boundedNumber } from '../schema.js';
import { ChargeSessionResource } from './model.js';
import { CSV_MAX_ROWS, instantParameter, MAX_RANGE_DAYS, rangeProblem } from './query.js';

export const SessionFormat = z.enum(EXPORT_FORMATS).check(
  z.meta({
    description: [
      'An export format instead of the DER-Connect page; wins over Accept.',
      '`atlas`: EV Charging Use Data Specification session objects, JSON pages like the default.',
      '`beckn`: Beckn EvChargingSession v2.0 attributes, JSON pages of `{ id, entityId, attributes }`.',
      "`evchart`: EV-ChART Module 2 CSV, charge points only; station, port and network provider come from the operator's charger registrations (`evchart` and `connectors[].portId` on /v1/chargers).",
      '`csv`: the DER-Connect fields as CSV (also chosen by `Accept: text/csv`).',
    ].join(' '),
  }),
);

const sessionQueryFields = {
  start: instantParameter(
    'Sessions that started at or after this instant (inclusive). RFC 3339 with seconds and an offset or Z; a bare date is refused. A `+` offset must be percent-encoded (`%2B`); an unencoded one, decoded to a space, is read as `+`.',
    '2026-01-01T00:00:00Z',
  ),
  end: z.optional(
    instantParameter(
      `Sessions that started before this instant (exclusive, like OCPI's date_to). Optional: without it the range is open. At most ${MAX_RANGE_DAYS} days after start.`,
      '2026-02-01T00:00:00Z',
    ),
  ),
  pageSize: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(CSV_MAX_ROWS))).check(
    z.meta({
      description: `Sessions per response. JSON pages: 1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}. CSV (\`format=csv|evchart\` or \`Accept: text/csv\`): rows per response, 1–${CSV_MAX_ROWS}, default ${CSV_MAX_ROWS} (a response also ends before 4 MiB).`,
      // The JSON limit, which applies unless a CSV is asked for: a parameter's schema cannot depend on
      // another parameter or a header, and a client kept to it is never refused.
      maximum: MAX_PAGE_SIZE,
      'x-csv-maximum': CSV_MAX_ROWS,
    }),
  ),
  continuationToken: pageQueryFields.continuationToken,
  format: z.optional(SessionFormat),
  status: z.optional(z.enum(['active', 'completed', 'all'])).check(
    z.meta({
      description:
        'Which sessions: `completed` (the default, as DER-Connect lists them), `active` (in progress: provisional values, `data.provisional: true`) or `all`. The exports (`format`, CSV) hold completed sessions only: any other value with them is 422 `format_not_applicable`.',
    }),
  ),
};

type SessionQueryShape = { start: string; end?: string | undefined };

/** The rule between fields: end after start and within the maximum. */
function checkSessionQuery(query: SessionQueryShape, ctx: z.core.$RefinementCtx) {
  const problem = rangeProblem(query.start, query.end);
  if (problem)
    ctx.addIssue({ code: 'custom', path: ['end'], message: problem, params: { code: 'invalid_range' } });
}

export const EntitySessionsQuery = z.strictObject(sessionQueryFields).check(z.superRefine(checkSessionQuery));

export const FleetSessionsQuery = z
  .strictObject({
    ...sessionQueryFields,
    entityId: entityIdFilter('sessions'),
    type: z.optional(EntityType).check(
      z.meta({
        description:
          'Only sessions of entities of this type. A filter: pages can hold fewer than pageSize sessions, even none, while a next link is still given.',
      }),
    ),
  })
  .check(z.superRefine(checkSessionQuery));

export type EntitySessionsQuery = z.output<typeof EntitySessionsQuery>;
export type FleetSessionsQuery = z.output<typeof FleetSessionsQuery>;

// ----- responses --------------------------------------------------------------------------------------

const nonNegative = () => z.number().check(z.minimum(0));
const nullableNumber = z.nullable(nonNegative());
const dateTime = () => z.iso.datetime({ offset: true });

export const AtlasSession = z
  .object({
    session_id: z.string(),
    port_id: z.nullable(z.string()),
    plug_start_datetime: z.nullable(dateTime()),
    plug_end_datetime: z.nullable(dateTime()),
    charge_start_datetime: dateTime(),
    charge_end_datetime: dateTime(),
    session_duration: z
      .nullable(z.string())
      .check(z.meta({ description: 'ISO 8601 duration, plug-in to plug-out.' })),
    charging_duration: z
      .string()
      .check(z.meta({ description: 'ISO 8601 duration during which energy flowed.' })),
    energy_kwh: nonNegative(),
    peak_kw: nonNegative(),
    total_fee_charged: nullableNumber.check(z.meta({ description: 'USD; null when unknown or not in USD.' })),
    energy_fee: nullableNumber,
    session_fee: nullableNumber,
    time_fee: nullableNumber,
    user_id: z.nullable(z.string()),
    successful_completion: z.nullable(z.boolean()),
    ended_by: z.nullable(z.string()),
    start_soc: z.nullable(boundedNumber(0, 1)),
    end_soc: z.nullable(boundedNumber(0, 1)),
    error_code: z.nullable(z.string()),
    payment_type: z.nullable(z.enum(PAYMENT_TYPES)),
  })
  .check(
    z.meta({
      id: 'AtlasSession',
      description:
        'A session in the EV Charging Use Data Specification (Atlas Public Policy) session schema. Fields the session cannot know are null, never made up; port_id is null (no port registry exists yet).',
    }),
  );

export const BecknEvChargingSession = z
  .object({
    '@context': z.literal(BECKN_CONTEXT),
    '@type': z.literal(BECKN_TYPE),
    sessionStatus: z.enum(BECKN_SESSION_STATUSES),
    connectorType: z.optional(z.enum(BECKN_CONNECTOR_TYPES)),
    maxPowerKW: z.optional(z.number().check(z.minimum(BECKN_MIN_MAX_POWER_KW))),
    meteredEnergyKWh: nonNegative(),
    meteredDurationMinutes: nonNegative(),
    totalCost: z.optional(
      z.object({
        '@type': z.literal('schema:PriceSpecification'),
        'schema:price': nonNegative(),
        'schema:priceCurrency': z.string().check(z.regex(/^[A-Z]{3}$/)),
        'schema:valueAddedTaxIncluded': z.boolean(),
      }),
    ),
    authorizationMode: z.optional(z.string()),
    trackingUrl: z.optional(z.string()),
  })
  .check(
    z.meta({
      id: 'BecknEvChargingSession',
      description: 'Beckn EvChargingSession v2.0 attributes, as far as the session knows them.',
    }),
  );

export const BecknSessionItem = z
  .object({
    id: z.string().check(z.meta({ description: 'The session id.' })),
    entityId: z.string(),
    attributes: BecknEvChargingSession,
  })
  .check(
    z.meta({
      id: 'BecknChargeSession',
      description:
        "A session's Beckn attributes with the ids they lack: the attribute set is what a BPP attaches to Order.fulfillments[].attributes, which carries no session id of its own.",
    }),
  );

export const ChargeSessionPage = pageSchema(ChargeSessionResource, 'ChargeSessionPage');
export const AtlasSessionPage = pageSchema(AtlasSession, 'AtlasSessionPage');
export const BecknSessionPage = pageSchema(BecknSessionItem, 'BecknSessionPage');

export const SessionListJson = z.union([ChargeSessionPage, AtlasSessionPage, BecknSessionPage]).check(
  z.meta({
    description:
      'A page of sessions, ordered by start ascending: ChargeSession items by default, AtlasSession with format=atlas, BecknChargeSession with format=beckn.',
  }),
);

export const SessionListCsv = z.string().check(
  z.meta({
    description: [
      'RFC 4180 CSV in UTF-8, a header row, CRLF line ends, fields quoted when they hold a comma, quote or line end.',
      `format=csv or Accept: text/csv: columns ${DER_CONNECT_CSV_COLUMNS.join(', ')}; text cells that start like a spreadsheet formula get a leading apostrophe.`,
      `format=evchart: EV-ChART Module 2 columns ${EVCHART_MODULE2_COLUMNS.join(', ')}.`,
      'When more sessions remain, the Link header names the next response.',
    ].join(' '),
  }),
);
