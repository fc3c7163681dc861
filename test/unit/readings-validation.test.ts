// Readings ingestion's validation, in process through the real handler with DynamoDB mocked: every bad
// field is named with the index of its reading, limits are stated and enforced, and a refused request
// never reaches DynamoDB (nothing is written).

import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../shared/http/handler.js';
import { READINGS_BODY_LIMIT_BYTES } from '../../shared/readings/schemas.js';
import { FULL_ACCESS, httpEvent, lambdaContext } from '../support/events.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2026-03-10T12:00:00Z');
const ENTITY_ID = '01900000-0000-7000-8000-000000000001';
type Response = { statusCode: number; headers: Record<string, string>; body?: string };
let handler: (event: unknown, context: unknown) => Promise<Response>;

beforeAll(async () => {
  process.env.TABLE_NAME = 'unit-table';
  const { readingHandlers } = await import('../../shared/readings/http.js');
  handler = createHttpHandler(readingHandlers, { now: () => NOW }) as never;
});
afterEach(() => dynamo.reset());

const ok = (i: number) => ({
  timestamp: new Date(NOW.getTime() - (100 - i) * 60_000).toISOString(),
  soc: 50,
  powerKw: 7.2,
});

async function post(body: unknown, rawBody?: string) {
  const event = httpEvent({
    routeKey: 'POST /v1/entities/{entityId}/readings',
    pathParameters: { entityId: ENTITY_ID },
    body,
    authorizer: FULL_ACCESS,
    headers: { 'content-type': 'application/json' },
  });
  if (rawBody !== undefined) event.body = rawBody;
  const response = await handler(event, lambdaContext());
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
}

function fields(body: { errors: { field: string; code: string }[] }) {
  return body.errors.map((e) => `${e.field} ${e.code}`);
}

describe('POST /v1/entities/{entityId}/readings validation', () => {
  it('names every bad field with the index of its reading', async () => {
    const readings = [
      ok(0),
      { ...ok(1), soc: 101 },
      { ...ok(2), powerKw: 'fast' },
      { ...ok(3), energyKwh: -1 },
      { ...ok(4), rangeKm: 5_001 },
      { ...ok(5), isPluggedIn: 'yes' },
      { ...ok(6), isCharging: 1 },
      { ...ok(7), location: { lat: 91, lon: 4 } },
      { ...ok(8), location: { lat: 52, lon: -181 } },
      { ...ok(9), location: { lat: 52 } },
      { ...ok(10), odometerKm: -3 },
      { ...ok(11), timestamp: '2026-03-10T11:00:00' },
      { ...ok(12), timestamp: undefined },
      { ...ok(13), speedKmh: 80 },
      { timestamp: ok(14).timestamp },
      { timestamp: ok(15).timestamp, soc: null, location: null },
      { ...ok(16), powerKw: -4_001 },
    ];
    const { status, body } = await post({ readings });
    expect(status).toBe(400);
    expect(body.code).toBe('validation_failed');
    expect(fields(body)).toEqual([
      'readings[1].soc too_big',
      'readings[2].powerKw invalid_type',
      'readings[3].energyKwh too_small',
      'readings[4].rangeKm too_big',
      'readings[5].isPluggedIn invalid_type',
      'readings[6].isCharging invalid_type',
      'readings[7].location.lat too_big',
      'readings[8].location.lon too_small',
      'readings[9].location.lon required',
      'readings[10].odometerKm too_small',
      'readings[11].timestamp invalid_datetime',
      'readings[12].timestamp required',
      'readings[13].speedKmh unrecognized_field',
      'readings[14] no_measurement',
      'readings[15] no_measurement',
      'readings[16].powerKw too_small',
    ]);
    expect(body.errors.every((e: { in: string }) => e.in === 'body')).toBe(true);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('refuses timestamps too far ahead of the clock or older than the retention, by index', async () => {
    const { status, body } = await post({
      readings: [
        ok(0),
        { ...ok(1), timestamp: '2026-03-10T12:05:00Z' }, // exactly the allowed skew
        { ...ok(2), timestamp: '2026-03-10T12:05:00.001Z' },
        { ...ok(3), timestamp: '2026-02-03T11:59:59.999Z' }, // 35 days and a millisecond ago
      ],
    });
    expect(status).toBe(400);
    expect(fields(body)).toEqual(['readings[2].timestamp in_future', 'readings[3].timestamp too_old']);
    expect(body.errors[1].message).toContain('35-day retention');
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('summarises a batch of 120 too-old readings in the detail and lists a bounded number of fields', async () => {
    const readings = Array.from({ length: 120 }, (_, i) => ({
      ...ok(0),
      timestamp: new Date(NOW.getTime() - 40 * 86_400_000 + i * 60_000).toISOString(),
    }));
    const { status, body } = await post({
      readings: [ok(0), ...readings, { ...ok(1), timestamp: '2026-03-10T13:00:00Z' }],
    });
    expect(status).toBe(400);
    expect(body.code).toBe('validation_failed');
    expect(body.detail).toBe(
      "120 readings are older than the 35-day retention of readings (before 2026-02-03T12:00:00.000Z; first: readings[1].timestamp; the first 10 are listed in errors); 1 reading is more than 5 minutes ahead of the server's clock (2026-03-10T12:00:00.000Z; first: readings[121].timestamp). Nothing was stored.",
    );
    expect(body.detail.length).toBeLessThan(400);
    expect(body).toMatchObject({ tooOld: 120, inFuture: 1 });
    expect(fields(body)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `readings[${i + 1}].timestamp too_old`),
      'readings[121].timestamp in_future',
    ]);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('accepts the lower-case t and z that RFC 3339 allows, read as the same instant', async () => {
    dynamo.onAnyCommand().resolves({});
    const lower = (r: { timestamp: string }) => ({
      ...r,
      timestamp: r.timestamp.replace('T', 't').replace('Z', 'z'),
    });
    const { status, body } = await post({ readings: [lower(ok(0)), lower(ok(1))] });
    // Past validation to the entity lookup (mocked: no such entity).
    expect({ status, code: body.code }).toEqual({ status: 404, code: 'entity_not_found' });
  });

  it('takes at most 1,000 readings (400 naming `readings`) and at least one', async () => {
    const many = Array.from({ length: 1_001 }, (_, i) => ({
      timestamp: new Date(NOW.getTime() - i * 1_000).toISOString(),
      soc: 1,
    }));
    const tooMany = await post({ readings: many });
    expect(tooMany.status).toBe(400);
    expect(fields(tooMany.body)).toEqual(['readings too_big']);
    const none = await post({ readings: [] });
    expect(fields(none.body)).toEqual(['readings too_small']);
    const missing = await post({});
    expect(fields(missing.body)).toEqual(['readings required']);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it(`answers 413 above ${READINGS_BODY_LIMIT_BYTES} bytes, and accepts 1,000 full pretty-printed readings`, async () => {
    const full = Array.from({ length: 1_000 }, (_, i) => ({
      timestamp: new Date(NOW.getTime() - 3_600_000 + i * 3_600).toISOString().replace('Z', '+00:00'),
      // Full-precision doubles: the longest way to write each value.
      soc: 57 + 1 / 7,
      powerKw: 11 + 1 / 3,
      energyKwh: 123456 + 1 / 7,
      rangeKm: 312 + 1 / 3,
      isPluggedIn: true,
      isCharging: true,
      location: { lat: 52 + 1 / 7, lon: 4 + 1 / 7 },
      odometerKm: 35045 + 1 / 3,
    }));
    const pretty = JSON.stringify({ readings: full }, null, 2);
    expect(pretty.length).toBeLessThan(READINGS_BODY_LIMIT_BYTES);
    // Valid and within the limit: it gets past validation to the entity lookup (mocked: no such entity).
    dynamo.onAnyCommand().resolves({});
    const fits = await post(undefined, pretty);
    expect(fits.status).toBe(404);
    expect(fits.body.code).toBe('entity_not_found');

    const padded = `${pretty}${' '.repeat(READINGS_BODY_LIMIT_BYTES - pretty.length + 1)}`;
    const tooLarge = await post(undefined, padded);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ code: 'payload_too_large', limitBytes: READINGS_BODY_LIMIT_BYTES });
  });
});
