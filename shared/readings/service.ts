// Use cases of the readings area: ingest a batch (check times, keep one reading per instant, store what is
// new in hour segments) and list a range a page at a time. Unknown and foreign entities are the same 404.

import { mapConcurrent } from '../concurrency.js';
import { config } from '../config.js';
import { isCaptureEnabled } from '../entities/domain.js';
import { assertEntityId, entityNotFound, requireEntity } from '../entities/service.js';
import { ServiceUnavailableError, ValidationError } from '../errors.js';
import { createLogger } from '../logger.js';
import { mayChangeSessions } from '../pipeline/live.js';
import { liveTrigger } from '../pipeline/live-trigger.js';
import * as entities from '../storage/entities.js';
import { mapPage, type Page, type Position } from '../storage/page.js';
import {
  isSettledView,
  loadSegments,
  planSegmentWrite,
  readBuckets,
  type StoredSegment,
  storeSegment,
} from '../storage/readings.js';
import { exactLocationsFor } from '../tenants/service.js';
import {
  BUCKET_MS,
  bucketOf,
  bucketTtlSeconds,
  expiryCutoff,
  MAX_CLOCK_SKEW_MS,
  mergeSegments,
  newReadings,
  planBatch,
  readingTimeErrors,
  retentionMs,
  timeErrorsProblem,
  toReading,
  toReadingResource,
} from './domain.js';
import type { Reading } from './model.js';
import type { IngestResult, ReadingInput, ReadingResource } from './schemas.js';

const log = createLogger({ service: 'evsessions', component: 'readings' });

/** Buckets written at once per request: a 1,000-reading day spans 24; this keeps a request to a few round trips. */
const WRITE_CONCURRENCY = 8;

/**
 * Writes of one hour attempted before a 503. A write fails only when another request wrote the hour since
 * it was read — that request made progress — so this bounds how many requests may race for one hour of
 * one entity at a time, far more than one entity sends.
 */
const WRITE_ATTEMPTS = 8;

interface Tally {
  accepted: number;
  duplicates: number;
  conflicts: number;
  late: number;
}

/** Consecutive hour buckets, as [first, last] runs: each run is read back with one Query. */
function bucketRuns(buckets: readonly number[]): [number, number][] {
  const sorted = [...buckets].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const bucket of sorted) {
    const last = runs[runs.length - 1];
    if (last && bucket === last[1] + BUCKET_MS) last[1] = bucket;
    else runs.push([bucket, bucket]);
  }
  return runs;
}

/**
 * Stores a request's readings. Nothing is written unless every reading is valid. Readings already stored
 * (same timestamp) are counted as duplicates and left as they are: the first stored wins. A failure part
 * way (5xx) may leave some buckets stored; re-sending the request is safe, since it is idempotent.
 */
export async function ingestReadings(
  tenantId: string,
  entityId: string,
  inputs: readonly ReadingInput[],
  now: Date,
): Promise<IngestResult> {
  const days = config().readingsRetentionDays;
  const retention = retentionMs(days);
  const readings = inputs.map(toReading);
  const errors = readingTimeErrors(readings, now, retention, days);
  if (errors.length > 0) {
    const problem = timeErrorsProblem(errors, now, retention, days);
    throw new ValidationError('validation_failed', problem.detail, {
      errors: problem.errors,
      extensions: problem.extensions,
    });
  }
  assertEntityId(entityId);
  const plan = planBatch(readings);
  const runs = bucketRuns([...plan.buckets.keys()]);
  // The entity and the touched hours are read together (one round trip): a Query of a partition the
  // tenant has no entity for finds nothing, and its answer is dropped with the 404.
  const [found, stored] = await Promise.all([
    entities.getEntityWithCursor(tenantId, entityId),
    mapConcurrent(runs, WRITE_CONCURRENCY, ([first, last]) => loadSegments(tenantId, entityId, first, last)),
  ]);
  if (!found) throw entityNotFound(entityId);
  const tally: Tally = { accepted: 0, duplicates: plan.duplicates, conflicts: plan.conflicts, late: 0 };
  const cursor = found.sessionCursor ?? Number.NEGATIVE_INFINITY;
  const byBucket = new Map<number, StoredSegment[]>();
  for (const segment of stored.flat()) {
    const list = byBucket.get(segment.bucket);
    if (list) list.push(segment);
    else byBucket.set(segment.bucket, [segment]);
  }
  const outcomes = await mapConcurrent([...plan.buckets], WRITE_CONCURRENCY, ([bucket, incoming]) =>
    storeBucket({
      tenantId,
      entityId,
      bucket,
      incoming,
      segments: byBucket.get(bucket) ?? [],
      retention,
    }),
  );
  for (const outcome of outcomes) {
    tally.accepted += outcome.fresh.length;
    tally.duplicates += outcome.duplicates;
    tally.conflicts += outcome.conflicts;
    for (const reading of outcome.fresh) if (reading.t < cursor) tally.late++;
  }
  if (tally.accepted > 0 && isCaptureEnabled(found.entity)) {
    const fresh = outcomes.flatMap((outcome) => outcome.fresh).sort((a, b) => a.t - b.t);
    const first = fresh[0]?.t ?? 0;
    // The stored reading just before the new ones, when their hour holds one (else unknown: a run is due).
    const hour = mergeSegments((byBucket.get(bucketOf(first)) ?? []).map((s) => s.readings));
    const previous = hour.filter((reading) => reading.t < first).at(-1);
    if (mayChangeSessions(fresh, previous, found.live)) await notifyLive(tenantId, entityId, now);
  }
  return { received: inputs.length, ...tally };
}

/**
 * Tells the real-time path that new readings are stored (after they are, so its run sees them). A failure
 * is logged, not answered: the readings are stored, a retried request would find them duplicates and
 * notify nothing, and the daily job processes them anyway (the real-time path only makes it sooner).
 */
async function notifyLive(tenantId: string, entityId: string, now: Date): Promise<void> {
  const trigger = liveTrigger();
  if (!trigger) return;
  try {
    await trigger({ tenantId, entityId }, now);
  } catch (error) {
    log.warn('readings: real-time notification failed; the daily job will process them', {
      tenantId,
      entityId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

async function storeBucket(input: {
  tenantId: string;
  entityId: string;
  bucket: number;
  incoming: Reading[];
  segments: StoredSegment[];
  retention: number;
}): Promise<{ fresh: Reading[]; duplicates: number; conflicts: number }> {
  const { tenantId, entityId, bucket, incoming } = input;
  const ttl = bucketTtlSeconds(bucket, input.retention);
  let segments = input.segments;
  for (let attempt = 0; ; attempt++) {
    const diff = newReadings(mergeSegments(segments.map((s) => s.readings)), incoming);
    // (A stale view only lacks readings, so nothing new in it is nothing new at all.)
    if (diff.fresh.length === 0) return diff;
    // Planned from the hour as one moment saw it, and conditional on that: if the write succeeds,
    // `fresh` is exactly what this request added. A view that cannot be one moment's is read again.
    if (isSettledView(segments)) {
      const write = planSegmentWrite(tenantId, entityId, bucket, segments, diff.fresh, ttl);
      if (await storeSegment(write, ttl)) return diff;
    }
    if (attempt + 1 >= WRITE_ATTEMPTS) throw new ServiceUnavailableError();
    segments = await loadSegments(tenantId, entityId, bucket, bucket);
  }
}

/** Listing positions are the last reading's instant: the next page starts just after it. */
interface ReadingPosition {
  after: number;
}

/** Segments the first Query of a page asks for; a page of 100 one-minute readings spans two or three. */
const FIRST_QUERY_SEGMENTS = 4;

/**
 * One page of an entity's readings in [start, end), in time order: Queries over the hour buckets from
 * the position on, small first, until one more reading than the page is found (so a next page exists
 * only when a reading does). Expired readings are never served.
 */
export async function listReadingsPage(
  tenantId: string,
  entityId: string,
  range: { start: string; end?: string | undefined },
  page: { pageSize: number; startKey: Position | undefined },
  now: Date,
): Promise<Page<Reading>> {
  const position = page.startKey as ReadingPosition | undefined;
  const start = Date.parse(range.start);
  const from = position ? Math.max(start, position.after + 1) : start;
  // Nothing can be stored later than the clock-skew allowance past now.
  const to = range.end ? Date.parse(range.end) - 1 : now.getTime() + MAX_CLOCK_SKEW_MS;
  const notBefore = expiryCutoff(now, retentionMs(config().readingsRetentionDays));
  const found: Reading[] = [];
  for await (const bucket of readBuckets(tenantId, entityId, {
    from,
    to,
    notBefore,
    firstLimit: FIRST_QUERY_SEGMENTS,
  })) {
    for (const reading of bucket) found.push(reading);
    if (found.length > page.pageSize) break;
  }
  if (found.length <= page.pageSize) return { items: found, nextKey: undefined };
  const items = found.slice(0, page.pageSize);
  const next: ReadingPosition = { after: items[items.length - 1]!.t };
  return { items, nextKey: next as unknown as Position };
}

/**
 * One page of an entity's readings as the API shows them. The entity (404 when the tenant has none), the
 * tenant's location setting and the first Query go out together: a page is one round trip. Locations are
 * withheld unless the tenant's exact-locations setting is on.
 */
export async function listEntityReadings(
  tenantId: string,
  entityId: string,
  range: { start: string; end?: string | undefined },
  page: { pageSize: number; startKey: Position | undefined },
  now: Date,
): Promise<Page<ReadingResource>> {
  assertEntityId(entityId);
  const [readings, , exactLocations] = await Promise.all([
    listReadingsPage(tenantId, entityId, range, page, now),
    requireEntity(tenantId, entityId),
    exactLocationsFor(tenantId),
  ]);
  return mapPage(readings, (reading) => toReadingResource(reading, exactLocations));
}
