// Item module: readings, packed into *segments*. All of an entity's readings share one partition
// (`T#<tenant>#E#<entity>#READINGS`), sorted by hour bucket and then by write, so any time range is one
// Query. A segment holds some readings of one hour bucket, encoded by shared/readings/codec.ts, and is
// written once per request and bucket: a write unit per KB of segment instead of one per reading.
//
// Why segments are appended rather than one item per hour grown in place: DynamoDB charges an update by
// the larger of the old and new item, so appending to a growing bucket would cost the whole bucket on
// every request. A new segment costs only its own size; the one exception is filling the hour's last
// segment while it is still smaller than a write unit (planSegmentWrite).
//
// Why segments are numbered: every write to an hour is conditional on the hour as it was read — a rewrite
// on the last segment's version, a new segment on its number not being taken yet — so of two requests
// that read the same hour only one write succeeds, and the other reads again and stores only what is
// still new. That keeps `accepted` exact under concurrency (no reading is counted by two requests) and
// no instant stored twice.

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { decodeSegment, encodeSegment } from '../readings/codec.js';
import { bucketOf, mergeDisjoint, mergeSegments } from '../readings/domain.js';
import type { Reading } from '../readings/model.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
import { type QueryInput, type QueryPagesOptions, queryAll, queryPages } from './page.js';

const ITEM_TYPE = 'ReadingSegment';

/** DynamoDB's item limit is 400 KB; a segment never comes near it (1,000 readings are < 100 KB), this guards it. */
export const MAX_SEGMENT_BYTES = 350 * 1024;

/** A write costs one unit per KB of item, rounded up. */
export const WRITE_UNIT_BYTES = 1024;

/** `YYYY-MM-DDTHH`: the hour bucket as the sort key's prefix; string order is time order. */
function hourKey(bucket: number): string {
  return new Date(bucket).toISOString().slice(0, 13);
}

/**
 * A segment's number within its hour, after `#s`: base 36, six digits (two billion segments an hour), so
 * string order is number order. Segments stored before numbering (`#<base-36 ms><random>`, every one
 * starting with a digit) sort before all numbered ones and are never rewritten.
 */
const SEQUENCE_MARK = 's';
const SEQUENCE_DIGITS = 6;

export const readingKeys = {
  partition: (tenantId: string, entityId: string) => `T#${tenantId}#E#${entityId}#READINGS`,
  hour: hourKey,
  /** The hour's segment number `sequence`: the n-th segment written to the hour, counting from 0. */
  segment: (tenantId: string, entityId: string, bucket: number, sequence: number) => ({
    pk: readingKeys.partition(tenantId, entityId),
    sk: `${hourKey(bucket)}#${SEQUENCE_MARK}${sequence.toString(36).padStart(SEQUENCE_DIGITS, '0')}`,
  }),
};

/** The number in a segment's sort key, or null for a segment stored before numbering. */
function sequenceOf(sk: string): number | null {
  const tail = sk.slice(14); // after `YYYY-MM-DDTHH#`
  return tail.startsWith(SEQUENCE_MARK) ? Number.parseInt(tail.slice(1), 36) : null;
}

export interface StoredSegment {
  pk: string;
  sk: string;
  bucket: number;
  /** Its number within the hour; null for a segment stored before numbering (never rewritten). */
  sequence: number | null;
  /** Incremented by every rewrite; a rewrite is conditional on it. */
  version: number;
  /** The item's size as DynamoDB counts it (approximately, never below). */
  bytes: number;
  readings: Reading[];
}

/** DynamoDB's size of a number: about one byte per two significant digits, plus one. */
function numberBytes(value: number): number {
  const digits = String(value)
    .replace(/[-.]|e.*$/g, '')
    .replace(/^0+/, '').length;
  return Math.ceil(Math.max(digits, 1) / 2) + 1;
}

/** The item size of a segment with these keys and this encoded data (attribute names count too). */
export function segmentItemBytes(
  key: { pk: string; sk: string },
  dataBytes: number,
  count: number,
  version: number,
  ttl: number,
): number {
  return (
    2 +
    Buffer.byteLength(key.pk) +
    2 +
    Buffer.byteLength(key.sk) +
    8 +
    ITEM_TYPE.length +
    1 +
    dataBytes +
    1 +
    numberBytes(count) +
    1 +
    numberBytes(version) +
    3 +
    numberBytes(ttl)
  );
}

export function writeUnits(bytes: number): number {
  return Math.ceil(bytes / WRITE_UNIT_BYTES);
}

function segmentFromItem(item: Record<string, unknown>): StoredSegment {
  const data = item.d as Uint8Array;
  const sk = item.sk as string;
  const version = Number(item.v);
  return {
    pk: item.pk as string,
    sk,
    bucket: Date.parse(`${sk.slice(0, 13)}:00:00.000Z`),
    sequence: sequenceOf(sk),
    version,
    bytes: segmentItemBytes(
      { pk: item.pk as string, sk },
      data.length,
      Number(item.n),
      version,
      Number(item.ttl),
    ),
    readings: decodeSegment(data),
  };
}

export interface SegmentWrite {
  /** `put`: a new segment under `key`. `replace`: `segment` rewritten with the new readings merged in. */
  kind: 'put' | 'replace';
  key: { pk: string; sk: string };
  segment?: StoredSegment;
  /** The segment's readings after the write. */
  readings: Reading[];
  data: Uint8Array;
  /** Write units this write costs. */
  units: number;
}

/**
 * The hour's last segment stays open for rewrites while it is smaller than this: a rewrite then costs at
 * most the units of the new readings alone, and one more only on the write that fills it, which keeps a
 * trickle of single readings in ~1 KB items (one unit each) rather than one item per reading. The room left
 * above it (128 bytes) is more than one reading adds to the encoded segment.
 */
export const OPEN_SEGMENT_BYTES = WRITE_UNIT_BYTES - 128;

/**
 * Whether `segments` (one hour, key order) can be the hour as it was at one moment. A new segment is put
 * only after the one before it filled, so in any moment's view every numbered segment but the last is
 * full. A read of several Query pages can see an earlier segment before a rewrite filled it and a later
 * one put after that; planning from such a view could count the rewrite's readings again, so the hour is
 * read again instead (the conditional write guards only the last segment).
 */
export function isSettledView(segments: readonly StoredSegment[]): boolean {
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    if (segment.sequence !== null && segment.bytes < OPEN_SEGMENT_BYTES) return false;
  }
  return true;
}

/**
 * How to store `fresh` readings (time order, new to the bucket) in a bucket holding `segments` (key
 * order, as loadSegments returns them): rewrite the last segment while it is open, otherwise put the next
 * numbered one. The choice depends on the hour as read, never on the new readings, so two requests that
 * read the same hour make the same kind of write to the same item and only one of them succeeds.
 */
export function planSegmentWrite(
  tenantId: string,
  entityId: string,
  bucket: number,
  segments: readonly StoredSegment[],
  fresh: readonly Reading[],
  ttl: number,
): SegmentWrite {
  const last = segments[segments.length - 1];
  if (last && last.sequence !== null && last.bytes < OPEN_SEGMENT_BYTES) {
    const readings = mergeDisjoint(last.readings, fresh);
    const data = encodeSegment(readings);
    const bytes = segmentItemBytes(last, data.length, readings.length, last.version + 1, ttl);
    // Cannot happen: an open segment is under 1 KB and a request's readings for an hour well under 100 KB.
    if (bytes > MAX_SEGMENT_BYTES) throw new Error(`segment of ${bytes} bytes exceeds ${MAX_SEGMENT_BYTES}`);
    return {
      kind: 'replace',
      key: { pk: last.pk, sk: last.sk },
      segment: last,
      readings,
      data,
      units: writeUnits(Math.max(bytes, last.bytes)),
    };
  }
  const key = readingKeys.segment(tenantId, entityId, bucket, last?.sequence != null ? last.sequence + 1 : 0);
  const data = encodeSegment(fresh);
  return {
    kind: 'put',
    key,
    readings: [...fresh],
    data,
    units: writeUnits(segmentItemBytes(key, data.length, fresh.length, 1, ttl)),
  };
}

/** The Query of a partition's segments from the first bucket to the last, both inclusive. */
function rangeQuery(
  tenantId: string,
  entityId: string,
  firstBucket: number,
  lastBucket: number,
  consistent: boolean,
): QueryInput {
  return {
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': readingKeys.partition(tenantId, entityId),
      ':from': hourKey(firstBucket),
      // Every segment key of the last bucket is `<hour>#…`, below `<hour>#~`.
      ':to': `${hourKey(lastBucket)}#~`,
    },
    ConsistentRead: consistent,
  };
}

/**
 * Every segment of the buckets from `firstBucket` to `lastBucket`, in key order (bucket, then write).
 * Strongly consistent: ingestion must see what the previous request stored to count duplicates.
 */
export async function loadSegments(
  tenantId: string,
  entityId: string,
  firstBucket: number,
  lastBucket: number,
): Promise<StoredSegment[]> {
  const input = rangeQuery(tenantId, entityId, firstBucket, lastBucket, true);
  return (await queryAll(input)).map(segmentFromItem);
}

/**
 * Stores a planned write. A new segment is a PutItem that never overwrites (another request that read the
 * same hour may have taken its number); a rewrite is a PutItem conditional on the version read. False
 * when the condition failed: the hour changed since it was read, and the caller reads it again and
 * re-plans, so no reading is lost and none is counted as accepted by two requests.
 */
export async function storeSegment(write: SegmentWrite, ttl: number): Promise<boolean> {
  const replacing = write.kind === 'replace' && write.segment !== undefined;
  const version = replacing ? write.segment!.version + 1 : 1;
  return conditionalWrite(
    documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...write.key,
          itemType: ITEM_TYPE,
          d: write.data,
          n: write.readings.length,
          v: version,
          ttl,
        },
        ...(replacing
          ? {
              ConditionExpression: 'v = :v',
              ExpressionAttributeValues: { ':v': write.segment!.version },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    ),
  );
}

export interface ReadRangeOptions {
  /** Inclusive, epoch ms. */
  from: number;
  /** Inclusive, epoch ms. */
  to: number;
  /** Readings before this are expired and left out (code never relies on DynamoDB's TTL). */
  notBefore: number;
  /**
   * Items asked for by the first Query; each further Query asks for four times more (unbounded after
   * a few). A page of a listing starts small so it never reads much more than it returns; a full read
   * (the engine) leaves it unset and takes 1 MB Query pages.
   */
  firstLimit?: number;
}

/** Limits of a read that starts small: `first`, four times more each Query, none once one reached 256. */
function growingLimit(first: number | undefined): QueryPagesOptions['pageLimit'] {
  if (!first) return undefined;
  return ({ pages }) => {
    let limit = first;
    for (let page = 0; page < pages; page++) {
      if (limit >= 256) return undefined;
      limit *= 4;
    }
    return limit;
  };
}

/**
 * An entity's readings in [from, to], bucket by bucket in time order, each bucket's readings in time
 * order and one per instant (the fixed shape the engine wants). Eventually consistent: half the read
 * price, and a reading stored a moment ago is not needed by a daily job or a listing.
 */
export async function* readBuckets(
  tenantId: string,
  entityId: string,
  options: ReadRangeOptions,
): AsyncGenerator<Reading[]> {
  const from = Math.max(options.from, options.notBefore);
  if (!(from <= options.to)) return;
  const input = rangeQuery(tenantId, entityId, bucketOf(from), bucketOf(options.to), false);
  let bucket = Number.NaN;
  let pending: Reading[][] = [];
  const flush = () => {
    const merged = mergeSegments(pending);
    pending = [];
    return inRange(merged, from, options.to);
  };
  for await (const page of queryPages(input, { pageLimit: growingLimit(options.firstLimit) })) {
    for (const item of page.items) {
      const segment = segmentFromItem(item);
      if (segment.bucket !== bucket && pending.length > 0) {
        const readings = flush();
        if (readings.length > 0) yield readings;
      }
      bucket = segment.bucket;
      pending.push(segment.readings);
    }
  }
  if (pending.length > 0) {
    const readings = flush();
    if (readings.length > 0) yield readings;
  }
}

/** The readings of a sorted run that fall in [from, to], without a copy when all do. */
function inRange(readings: Reading[], from: number, to: number): Reading[] {
  const n = readings.length;
  if (n === 0 || (readings[0]!.t >= from && readings[n - 1]!.t <= to)) return readings;
  return readings.filter((r) => r.t >= from && r.t <= to);
}

/** All of an entity's readings in [from, to] in time order, one per instant: the engine's input. */
export async function readReadings(
  tenantId: string,
  entityId: string,
  options: Omit<ReadRangeOptions, 'firstLimit'>,
): Promise<Reading[]> {
  const out: Reading[] = [];
  for await (const bucket of readBuckets(tenantId, entityId, options)) {
    for (let i = 0; i < bucket.length; i++) out.push(bucket[i]!);
  }
  return out;
}
