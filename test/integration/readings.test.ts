// Readings over HTTP and in the store: idempotent ingestion (duplicates and conflicts counted, the first
// stored wins), out-of-order and late readings, paging in time order, privacy by default, tenant
// isolation, concurrent requests that never lose a reading, and what ingestion costs in write units per
// reading (as DynamoDB reports it through ReturnConsumedCapacity) for realistic request shapes.

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../shared/readings/model.js';
import { simulateEntity } from '../simulator/simulate.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { asStored, chunks, type ReadingBody, shiftToRecent, toReadingBody } from '../support/readings.js';
import { createEntity, walkPages } from '../support/requests.js';

let api: TestApi;
let tokenA: string;
let tokenB: string;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

beforeAll(async () => {
  api = await startTestApi();
  tokenA = await api.token('readings-a');
  tokenB = await api.token('readings-b');
});
afterAll(() => api.close());

/** A new EV's id. */
const newCar = async (token: string) => (await createEntity(api, token, { type: 'EV', name: 'Car' })).id;

const post = (token: string, entityId: string, readings: unknown[]) =>
  api.request('POST', `/v1/entities/${entityId}/readings`, { token, body: { readings } });

/** Every reading of a range, following links.next. */
async function readAll(token: string, entityId: string, query: string): Promise<any[]> {
  const pages = await walkPages(api, `/v1/entities/${entityId}/readings?${query}`, token);
  return pages.flatMap((page) => page.data);
}

/** One-minute EV telemetry with every field, ending two hours ago. */
function telemetry(seed: number, days = 1): { readings: Reading[]; bodies: ReadingBody[] } {
  const sim = simulateEntity({
    seed,
    id: `ingest-${seed}`,
    profile: 'ev-power',
    timeZone: 'UTC',
    startDate: [2025, 1, 10],
    days,
    cadenceMs: MINUTE,
    alwaysAwake: true,
  });
  const shift = shiftToRecent(sim.toMs, Date.now(), 2 * HOUR);
  const readings = asStored(sim.readings, shift).filter((r) => r.t < Date.now() - 2 * HOUR);
  return { readings, bodies: readings.map((r) => toReadingBody(r)) };
}

describe('POST /v1/entities/{entityId}/readings', () => {
  it('stores readings once: a re-send is all duplicates, changed values are conflicts and the first stays', async () => {
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(1);
    const batch = bodies.slice(0, 60);
    const first = await post(tokenA, entityId, batch);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ received: 60, accepted: 60, duplicates: 0, conflicts: 0, late: 0 });

    const again = await post(tokenA, entityId, batch);
    expect(again.body).toEqual({ received: 60, accepted: 0, duplicates: 60, conflicts: 0, late: 0 });

    const changed = batch.slice(0, 3).map((b) => ({ ...b, soc: 1 }));
    const repeatedInRequest = [...changed, bodies[60]!, { ...bodies[60]!, soc: 2 }];
    const third = await post(tokenA, entityId, repeatedInRequest);
    expect(third.body).toEqual({ received: 5, accepted: 1, duplicates: 4, conflicts: 4, late: 0 });

    const stored = await readAll(
      tokenA,
      entityId,
      `start=${encodeURIComponent(batch[0]!.timestamp)}&pageSize=1000`,
    );
    expect(stored).toHaveLength(61);
    expect(stored.slice(0, 3).map((r) => r.soc)).toEqual(batch.slice(0, 3).map((b) => b.soc));
    expect(stored[60].soc).toBe(bodies[60]!.soc);
  });

  it('accepts readings in any order and late into hours already stored, and serves them in time order', async () => {
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(2);
    const day = bodies.slice(0, 600); // ten hours
    const odd = day.filter((_, i) => i % 2 === 1).reverse();
    const even = day.filter((_, i) => i % 2 === 0);
    // Shuffle deterministically across hours.
    even.sort((a, b) => (a.timestamp.slice(-6) < b.timestamp.slice(-6) ? -1 : 1));
    expect((await post(tokenA, entityId, odd)).body.accepted).toBe(300);
    expect((await post(tokenA, entityId, even)).body.accepted).toBe(300);
    const stored = await readAll(
      tokenA,
      entityId,
      `start=${encodeURIComponent(day[0]!.timestamp)}&pageSize=97`,
    );
    expect(stored.map((r) => r.timestamp)).toEqual(day.map((b) => b.timestamp));
  });

  it('answers 404 for an unknown entity and for another tenant’s, writing nothing', async () => {
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(3);
    const unknown = await post(tokenA, '01900000-0000-7000-8000-0000000000ff', bodies.slice(0, 2));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('entity_not_found');
    const foreign = await post(tokenB, entityId, bodies.slice(0, 2));
    expect(foreign.status).toBe(404);
    const foreignRead = await api.request(
      'GET',
      `/v1/entities/${entityId}/readings?start=${encodeURIComponent(bodies[0]!.timestamp)}`,
      { token: tokenB },
    );
    expect(foreignRead.status).toBe(404);
    expect(await readAll(tokenA, entityId, `start=${encodeURIComponent(bodies[0]!.timestamp)}`)).toEqual([]);
  });

  it('refuses more than 1,000 readings with 400 on `readings`, and a body over 1 MiB with 413', async () => {
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(4, 1);
    const many = [...bodies, ...bodies].slice(0, 1_001);
    const tooMany = await post(tokenA, entityId, many);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ field: 'readings', code: 'too_big' })]);
    const tooLarge = await api.request('POST', `/v1/entities/${entityId}/readings`, {
      token: tokenA,
      rawBody: JSON.stringify({ readings: bodies.slice(0, 10), pad: 'x'.repeat(1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooLarge.status).toBe(413);
  });

  it('answers a batch of 120 too-old readings with a summary and a bounded list of fields, storing nothing', async () => {
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(15);
    const old = bodies.slice(0, 120).map((b) => ({
      ...b,
      timestamp: new Date(Date.parse(b.timestamp) - 40 * 24 * HOUR).toISOString(),
    }));
    const refused = await post(tokenA, entityId, old);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(
      /^120 readings are older than the 35-day retention of readings \(before .+; first: readings\[0\]\.timestamp; the first 10 are listed in errors\)\. Nothing was stored\.$/,
    );
    expect(refused.body.tooOld).toBe(120);
    expect(refused.body.errors).toHaveLength(10);
    expect(refused.body.errors[0]).toMatchObject({ field: 'readings[0].timestamp', code: 'too_old' });
    expect(await readAll(tokenA, entityId, `start=${encodeURIComponent(bodies[0]!.timestamp)}`)).toEqual([]);
  });

  it('never loses a reading when requests with overlapping readings race (also on a segment both rewrite)', async () => {
    const { setExactLocations } = await import('../../shared/storage/tenant-settings.js');
    await setExactLocations('readings-a', true, new Date());
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(5);
    const hour = bodies.slice(0, 60);
    // A small segment both racers will try to fill.
    await post(tokenA, entityId, [hour[0]]);
    for (let round = 0; round < 3; round++) {
      const a = hour.filter((_, i) => i % 3 !== round);
      const b = hour.filter((_, i) => i % 2 === round % 2);
      const [ra, rb] = await Promise.all([post(tokenA, entityId, a), post(tokenA, entityId, b)]);
      expect(ra.status).toBe(202);
      expect(rb.status).toBe(202);
    }
    const stored = await readAll(
      tokenA,
      entityId,
      `start=${encodeURIComponent(hour[0]!.timestamp)}&pageSize=1000`,
    );
    expect(stored.map((r) => r.timestamp)).toEqual(hour.map((b) => b.timestamp));
    // Every value is one that was sent (exact location included: this tenant opted in).
    expect(stored).toEqual(hour);
  });
});

describe('requests carrying the same readings at the same time', () => {
  it('count each stored reading once: the accepted of both add up to the readings stored', async () => {
    const { documentClient } = await import('../../shared/storage/client.js');
    const { readingKeys } = await import('../../shared/storage/readings.js');
    const entityId = await newCar(tokenA);
    const partition = readingKeys.partition('readings-a', entityId);
    const { bodies } = telemetry(16);
    // Each request's segment writes wait until both requests have read the hour (or a second has passed),
    // so both plan from the same state: the race the conditional writes must settle.
    let reads = 0;
    let bothRead = Promise.resolve();
    let release = () => {};
    const NAME = 'writeAfterBothRead';
    documentClient().middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          Item?: { pk?: unknown };
          ConsistentRead?: boolean;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        if (input.Item?.pk === partition) {
          await Promise.race([bothRead, new Promise((resolve) => setTimeout(resolve, 1_000))]);
        }
        const result = await next(args);
        if (input.ConsistentRead && input.ExpressionAttributeValues?.[':pk'] === partition && ++reads === 2) {
          release();
        }
        return result;
      },
      { step: 'initialize', name: NAME },
    );
    const start = `start=${encodeURIComponent(bodies[0]!.timestamp)}&pageSize=1000`;
    try {
      // An empty hour (both put its first segment), the same hour again with more (both fill its small
      // segment), then hours of 1,000 readings each request alone would put as new segments.
      for (const batch of [bodies.slice(0, 20), bodies.slice(0, 40), bodies.slice(0, 1_000)]) {
        reads = 0;
        bothRead = new Promise<void>((resolve) => {
          release = resolve;
        });
        const before = (await readAll(tokenA, entityId, start)).length;
        const [a, b] = await Promise.all([post(tokenA, entityId, batch), post(tokenA, entityId, batch)]);
        expect([a.status, b.status]).toEqual([202, 202]);
        const stored = (await readAll(tokenA, entityId, start)).length;
        expect(stored).toBe(Math.max(before, batch.length));
        expect(a.body.accepted + b.body.accepted).toBe(stored - before);
        expect(a.body.duplicates + b.body.duplicates).toBe(2 * batch.length - (stored - before));
      }
    } finally {
      documentClient().middlewareStack.remove(NAME);
    }
  });
});

describe('an hour read over two Query pages, with a rewrite and a new segment landing between them', () => {
  it('is read again rather than planned from: re-sent readings stay duplicates, none counted twice', async () => {
    const { documentClient } = await import('../../shared/storage/client.js');
    const { readingKeys } = await import('../../shared/storage/readings.js');
    const entityId = await newCar(tokenA);
    const partition = readingKeys.partition('readings-a', entityId);
    const { bodies } = telemetry(17);
    const hour = bodies.filter((b) => b.timestamp.slice(0, 13) === bodies[0]!.timestamp.slice(0, 13));
    const segmentsNow = async () =>
      (
        await documentClient().send(
          new QueryCommand({
            TableName: api.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': partition },
          }),
        )
      ).Items ?? [];
    await post(tokenA, entityId, hour.slice(0, 1)); // segment 0, open
    const [openSegment] = await segmentsNow();
    await post(tokenA, entityId, hour.slice(1, 40)); // segment 0 rewritten and full
    await post(tokenA, entityId, hour.slice(40, 45)); // segment 1
    expect((await segmentsNow()).map((item) => item.sk.slice(-7))).toEqual(['s000000', 's000001']);
    // The next read of the hour sees segment 0 as it was before its rewrite (an earlier page) and segment 1.
    let staled = false;
    const NAME = 'staleFirstPage';
    documentClient().middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const input = args.input as {
          ConsistentRead?: boolean;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        if (!staled && input.ConsistentRead && input.ExpressionAttributeValues?.[':pk'] === partition) {
          staled = true;
          const output = result.output as { Items?: Record<string, unknown>[] };
          output.Items = output.Items?.map((item) => (item.sk === openSegment!.sk ? openSegment! : item));
        }
        return result;
      },
      { step: 'initialize', name: NAME },
    );
    try {
      const again = await post(tokenA, entityId, hour.slice(0, 45));
      expect(staled).toBe(true);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 45 });
    } finally {
      documentClient().middlewareStack.remove(NAME);
    }
    const stored = await readAll(
      tokenA,
      entityId,
      `start=${encodeURIComponent(hour[0]!.timestamp)}&pageSize=1000`,
    );
    expect(stored.map((r) => r.timestamp)).toEqual(hour.slice(0, 45).map((b) => b.timestamp));
  });
});

describe('a segment rewritten by another request between read and write', () => {
  it('loses neither request’s readings: the refused rewrite reads again and stores what is still new', async () => {
    const { documentClient } = await import('../../shared/storage/client.js');
    const { ingestReadings } = await import('../../shared/readings/service.js');
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(11);
    const now = new Date();
    await ingestReadings('readings-a', entityId, bodies.slice(0, 1), now);
    // The first conditional rewrite is preceded by another request filling the same segment.
    let interfered = false;
    const NAME = 'interfereOnce';
    documentClient().middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ConditionExpression?: string };
        if (!interfered && input.ConditionExpression === 'v = :v') {
          interfered = true;
          await ingestReadings('readings-a', entityId, bodies.slice(1, 3), now);
        }
        return next(args);
      },
      { step: 'initialize', name: NAME },
    );
    try {
      const result = await ingestReadings('readings-a', entityId, [bodies[2]!, bodies[3]!, bodies[4]!], now);
      expect(interfered).toBe(true);
      // bodies[2] arrived meanwhile through the other request: now a duplicate, not stored twice.
      expect(result).toMatchObject({ received: 3, accepted: 2, duplicates: 1 });
    } finally {
      documentClient().middlewareStack.remove(NAME);
    }
    const stored = await readAll(tokenA, entityId, `start=${encodeURIComponent(bodies[0]!.timestamp)}`);
    expect(stored.map((r) => r.timestamp)).toEqual(bodies.slice(0, 5).map((b) => b.timestamp));
  });
});

describe('GET /v1/entities/{entityId}/readings', () => {
  it('pages in time order from start (inclusive) to end (exclusive), with links that carry the range', async () => {
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(6);
    await post(tokenA, entityId, bodies.slice(0, 300));
    const start = bodies[10]!.timestamp;
    const end = bodies[250]!.timestamp;
    const first = await api.request(
      'GET',
      `/v1/entities/${entityId}/readings?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}&pageSize=100`,
      { token: tokenA },
    );
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(100);
    expect(first.body.meta).toEqual({ continuationToken: expect.any(String), pageSize: 100 });
    expect(first.body.links.next).toContain('start=');
    const all = await readAll(
      tokenA,
      entityId,
      `start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}&pageSize=100`,
    );
    expect(all.map((r) => r.timestamp)).toEqual(bodies.slice(10, 250).map((b) => b.timestamp));
    // The last page has no next link (no empty page after it).
    const last = await readAll(
      tokenA,
      entityId,
      `start=${encodeURIComponent(bodies[200]!.timestamp)}&pageSize=100`,
    );
    expect(last).toHaveLength(100);
  });

  it('leaves exact locations out unless the tenant opted in', async () => {
    const { setExactLocations } = await import('../../shared/storage/tenant-settings.js');
    const token = await api.token('readings-privacy');
    const entityId = await newCar(token);
    const { bodies } = telemetry(7);
    await post(token, entityId, bodies.slice(0, 5));
    const query = `start=${encodeURIComponent(bodies[0]!.timestamp)}`;
    const hidden = await readAll(token, entityId, query);
    expect(bodies[0]!.location).toBeDefined();
    expect(hidden.every((r) => r.location === undefined)).toBe(true);
    expect(hidden[0]).toEqual({ ...bodies[0], location: undefined });
    await setExactLocations('readings-privacy', true, new Date());
    const shown = await readAll(token, entityId, query);
    expect(shown).toEqual(bodies.slice(0, 5));
  });

  it('reads the lower-case t and z that RFC 3339 allows, in a reading and in start and end', async () => {
    const entityId = await newCar(tokenA);
    const { bodies } = telemetry(14);
    const lower = (timestamp: string) => timestamp.replace('T', 't').replace('Z', 'z');
    const sent = await post(
      tokenA,
      entityId,
      bodies.slice(0, 3).map((b) => ({ ...b, timestamp: lower(b.timestamp) })),
    );
    expect(sent.status).toBe(202);
    expect(sent.body.accepted).toBe(3);
    const query = `start=${lower(bodies[1]!.timestamp)}&end=${lower(bodies[2]!.timestamp)}`;
    const listed = await readAll(tokenA, entityId, query);
    expect(listed.map((r) => r.timestamp)).toEqual([bodies[1]!.timestamp]);
  });

  it('refuses an end before start and a token of another range', async () => {
    const entityId = await newCar(tokenA);
    const bad = await api.request(
      'GET',
      `/v1/entities/${entityId}/readings?start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z`,
      { token: tokenA },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'end', code: 'invalid_range' })]);
  });
});

describe('the cost of ingestion (DynamoDB consumed capacity)', () => {
  it('costs far less than one write unit per reading for batches, and one for a trickle of single readings', async () => {
    const { measureCapacity } = await import('../../shared/storage/capacity.js');
    const { ingestReadings } = await import('../../shared/readings/service.js');
    const tenantId = 'readings-cost';
    const token = await api.token(tenantId);
    const now = new Date();
    const { bodies } = telemetry(8, 2);
    const measure = async (entityId: string, batches: ReadingBody[][]) => {
      let readings = 0;
      const { consumed } = await measureCapacity(async () => {
        for (const batch of batches)
          readings += (await ingestReadings(tenantId, entityId, batch, now)).accepted;
      });
      return { readings, write: consumed.writeUnits / readings, read: consumed.readUnits / readings };
    };

    const hourly = await measure(await newCar(token), chunks(bodies.slice(0, 600), 60));
    expect(hourly.readings).toBe(600);
    expect(hourly.write).toBeLessThan(0.1);

    const daily = await measure(await newCar(token), [bodies.slice(0, 1_000)]);
    expect(daily.readings).toBe(1_000);
    expect(daily.write).toBeLessThan(0.1);

    const trickleEntity = await newCar(token);
    const trickle = await measure(trickleEntity, chunks(bodies.slice(0, 60), 1));
    expect(trickle.write).toBeLessThanOrEqual(1); // any write costs a unit: the floor for one reading a request
    // …and the trickle is packed into ~1 KB items rather than one item per reading.
    const { documentClient } = await import('../../shared/storage/client.js');
    const { readingKeys } = await import('../../shared/storage/readings.js');
    const items = await documentClient().send(
      new QueryCommand({
        TableName: api.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': readingKeys.partition(tenantId, trickleEntity) },
      }),
    );
    expect(items.Count).toBeLessThanOrEqual(6);
    console.info(
      `write units per reading (${api.backend}): batch of 60 ${hourly.write.toFixed(4)}, 1,000 over 17 h ${daily.write.toFixed(4)}, trickle of 1 ${trickle.write.toFixed(2)}; read units per reading ${hourly.read.toFixed(4)}, ${daily.read.toFixed(4)}, ${trickle.read.toFixed(2)}`,
    );
  });

  it('meters concurrent work apart, and a measured step inside a measured run in both', async () => {
    const { measureCapacity } = await import('../../shared/storage/capacity.js');
    const { ingestReadings } = await import('../../shared/readings/service.js');
    const tenantId = 'readings-meter';
    const token = await api.token(tenantId);
    const now = new Date();
    const small = telemetry(12).bodies.slice(0, 5);
    const large = telemetry(13).bodies.slice(0, 1_000);
    const alone = async (batch: ReadingBody[]) => {
      const entityId = await newCar(token);
      return (await measureCapacity(() => ingestReadings(tenantId, entityId, batch, now))).consumed;
    };
    const smallAlone = await alone(small);
    const largeAlone = await alone(large);
    expect(largeAlone.writeUnits).toBeGreaterThan(smallAlone.writeUnits);
    const [a, b] = [await newCar(token), await newCar(token)];
    const outer = await measureCapacity(() =>
      Promise.all([
        measureCapacity(() => ingestReadings(tenantId, a, small, now)),
        measureCapacity(() => ingestReadings(tenantId, b, large, now)),
      ]),
    );
    const [smallTogether, largeTogether] = outer.result;
    expect(smallTogether.consumed).toEqual(smallAlone);
    expect(largeTogether.consumed).toEqual(largeAlone);
    expect(outer.consumed).toEqual({
      readUnits: smallAlone.readUnits + largeAlone.readUnits,
      writeUnits: smallAlone.writeUnits + largeAlone.writeUnits,
    });
  });

  it('writes a re-sent batch for free: duplicates cost reads only', async () => {
    const { measureCapacity } = await import('../../shared/storage/capacity.js');
    const { ingestReadings } = await import('../../shared/readings/service.js');
    const tenantId = 'readings-cost';
    const token = await api.token(tenantId);
    const entityId = await newCar(token);
    const { bodies } = telemetry(9);
    const now = new Date();
    await ingestReadings(tenantId, entityId, bodies.slice(0, 60), now);
    const { result, consumed } = await measureCapacity(() =>
      ingestReadings(tenantId, entityId, bodies.slice(0, 60), now),
    );
    expect(result.duplicates).toBe(60);
    expect(consumed.writeUnits).toBe(0);
    expect(consumed.readUnits).toBeGreaterThan(0);
    expect(consumed.readUnits).toBeLessThanOrEqual(4);
  });

  it('keeps raw readings for the retention: each segment expires 35 days after the end of its hour', async () => {
    const tenantId = 'readings-ttl';
    const token = await api.token(tenantId);
    const entityId = await newCar(token);
    const { bodies } = telemetry(10);
    await post(token, entityId, bodies.slice(0, 3));
    const { documentClient } = await import('../../shared/storage/client.js');
    const { readingKeys } = await import('../../shared/storage/readings.js');
    const { Items } = await documentClient().send(
      new QueryCommand({
        TableName: api.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': readingKeys.partition(tenantId, entityId) },
      }),
    );
    const hourEnd = Math.floor(Date.parse(bodies[0]!.timestamp) / HOUR) * HOUR + HOUR;
    expect(Items!.map((i) => i.ttl)).toContain((hourEnd + 35 * 24 * HOUR) / 1000);
  });
});
