// The readings routes, declared once (see shared/http/route.ts). Served by functions/readings.ts.

import { EntityIdParams } from '../entities/schemas.js';
import { defineRoute } from '../http/route.js';
import { MAX_CLOCK_SKEW_MS, TIME_ERRORS_LISTED } from './domain.js';
import {
  IngestReadingsBody,
  IngestResult,
  ListReadingsQuery,
  MAX_READINGS_PER_REQUEST,
  READINGS_BODY_LIMIT_BYTES,
  ReadingPage,
} from './schemas.js';

const tags = ['Readings'];

export const ingestReadingsRoute = defineRoute({
  operationId: 'ingestReadings',
  method: 'POST',
  path: '/v1/entities/{entityId}/readings',
  fn: 'readings',
  auth: { scope: 'readings:write' },
  summary: 'Send an entity’s readings (telemetry)',
  description: [
    `Up to ${MAX_READINGS_PER_REQUEST} readings per request, in any order; more is 400 on \`readings\` (a body over ${READINGS_BODY_LIMIT_BYTES / 1024} KiB is 413).`,
    'Every reading is checked, and each error names the reading by its index (`readings[3].soc`); if any reading is invalid nothing is stored.',
    `A timestamp more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of the server clock is refused (\`in_future\`), and so is one older than the retention of readings (35 days unless configured; \`too_old\`). The 400 then counts them in \`detail\` and in the \`tooOld\` and \`inFuture\` members, names the first, and lists at most ${TIME_ERRORS_LISTED} of each kind in \`errors\`; nothing is stored.`,
    'Idempotent: a reading is identified by its entity and timestamp (to the millisecond). One already stored is counted in `duplicates` and left as it is — the first one stored wins, even when the values differ (`conflicts`). Re-sending a request, late and out-of-order readings are all fine; readings older than what the daily session run has already processed are stored but no longer change sessions (`late`).',
    'A 5xx answer may have stored part of the request; re-send it.',
  ].join(' '),
  tags,
  params: EntityIdParams,
  body: IngestReadingsBody,
  bodyLimitBytes: READINGS_BODY_LIMIT_BYTES,
  responses: { 202: { description: 'The readings were accepted.', schema: IngestResult } },
  errors: ['entity_not_found'],
});

export const listReadingsRoute = defineRoute({
  operationId: 'listReadings',
  method: 'GET',
  path: '/v1/entities/{entityId}/readings',
  fn: 'readings',
  auth: { scope: 'readings:read' },
  summary: 'List an entity’s readings in a time range',
  description:
    'Readings in time order, one per instant, from `start` (inclusive) to `end` (exclusive; open when left out), a page at a time. Timestamps are UTC. Exact locations are returned only for tenants that opted in. Readings older than the retention have expired and are not listed.',
  tags,
  params: EntityIdParams,
  query: ListReadingsQuery,
  responses: { 200: { description: 'A page of readings.', schema: ReadingPage } },
  errors: ['entity_not_found'],
});

export const readingRoutes = [ingestReadingsRoute, listReadingsRoute];
