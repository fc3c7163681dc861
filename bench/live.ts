// The real-time path's cost and latency. Cost: a fleet of simulated entities (every profile) × one day of
// readings at a 1-minute and at a 15-minute cadence, each reading delivered when it is taken (one request per
// reading: the most runs the path can be asked for), a real-time run (runLive, as the worker runs it per
// message) once per entity and LIVE_BUCKET_SECONDS bucket in which readings arrived — what the FIFO queue's
// deduplication coalesces. Its DynamoDB read and write units per reading are set against the daily job's for
// the same readings (the same entities in another table, the readings stored an hour per request, one
// planner + worker run): goal ≤ 2×. Ingestion is left out of both: it costs the same whichever path follows.
//
// Latency: under the in-process runner `npm start` uses (debounce LOCAL_LIVE_DEBOUNCE_MS), from the end of
// the ingest request that ends a true session (its readings up to 10 minutes after its end) to the completed
// session being listed (polled every 20 ms). Reported, not asserted.

import { randomBytes } from 'node:crypto';
import { ensureTable } from '../infra/local/dynamo.js';
import type { Reading } from '../shared/readings/model.js';
import { PROFILES, simulateEntity } from '../test/simulator/simulate.js';
import { shiftToRecent, toReadingBody } from '../test/support/readings.js';
import { type Figure, percentile, type Section } from './lib.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Options {
  quick: boolean;
}

function entityId(n: number): string {
  return `01900000-0000-7000-8000-${(0xa00000 + n).toString(16).padStart(12, '0')}`;
}

function fleet(count: number, hours: number, cadenceMs: number, nowMs: number) {
  return Array.from({ length: count }, (_, n) => {
    const sim = simulateEntity({
      seed: 11_000 + n,
      id: `bench-live-${n}`,
      profile: PROFILES[n % PROFILES.length]!,
      timeZone: 'Europe/Amsterdam',
      startDate: [2025, 6, 2 + (n % 5)],
      days: 1,
      cadenceMs,
      alwaysAwake: true,
      dropRate: 0,
      duplicateRate: 0,
    });
    const from = hours >= 24 ? sim.fromMs : sim.fromMs + 17 * HOUR;
    const to = from + hours * HOUR;
    const shift = shiftToRecent(to, nowMs, 2 * HOUR);
    const readings = sim.readings
      .filter((r: Reading) => r.t >= from && r.t < to)
      .map((r) => ({ ...r, t: Math.floor(r.t) + shift }));
    return { id: entityId(n + 1), sim, readings, shift };
  });
}

type Fleet = ReturnType<typeof fleet>;

async function inTable<T>(fn: () => Promise<T>): Promise<T> {
  const { resetConfig } = await import('../shared/config.js');
  const previous = process.env.TABLE_NAME;
  const table = `bench-live-${randomBytes(4).toString('hex')}`;
  await ensureTable(process.env.DYNAMODB_ENDPOINT!, table);
  process.env.TABLE_NAME = table;
  resetConfig();
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.TABLE_NAME;
    else process.env.TABLE_NAME = previous;
    resetConfig();
  }
}

async function createEntities(tenantId: string, entities: Fleet, now: Date) {
  const { newEntity } = await import('../shared/entities/domain.js');
  const { putNewEntity } = await import('../shared/storage/entities.js');
  for (const { id, sim } of entities) {
    await putNewEntity({
      ...newEntity(
        tenantId,
        id,
        { type: sim.entity.type, name: sim.entity.id, timeZone: sim.timeZone, capabilities: [] },
        now,
      ),
      batteryCapacityKwh: sim.entity.batteryCapacityKwh,
      features: { CaptureChargeSessions: { enabled: true, since: now.toISOString() } },
    });
  }
}

/** The real-time path over the fleet's day: units of its runs, runs, and sessions completed. */
async function livePath(entities: Fleet, now: Date) {
  return inTable(async () => {
    const { ingestReadings } = await import('../shared/readings/service.js');
    const { runLive } = await import('../shared/pipeline/live-worker.js');
    const { setLiveTrigger } = await import('../shared/pipeline/live-trigger.js');
    const { LIVE_BUCKET_SECONDS } = await import('../shared/pipeline/settings.js');
    const { createLogger } = await import('../shared/logger.js');
    const log = createLogger({});
    const tenantId = 'bench-live';
    await createEntities(tenantId, entities, now);
    // The queue: readings arriving in a bucket are one message per entity (deduplication), run after it.
    const due = new Set<string>();
    const previous = setLiveTrigger(async (ref) => {
      due.add(ref.entityId);
    });
    const bucketMs = LIVE_BUCKET_SECONDS * 1000;
    const events = { record: async () => {} };
    let readUnits = 0;
    let writeUnits = 0;
    let runs = 0;
    let writingRuns = 0;
    let readings = 0;
    try {
      const all = entities.flatMap(({ id, readings: rs }) => rs.map((r) => ({ id, r })));
      all.sort((a, b) => a.r.t - b.r.t);
      let i = 0;
      while (i < all.length) {
        const bucketEnd = (Math.floor(all[i]!.r.t / bucketMs) + 1) * bucketMs;
        // Each reading as its own request, as it is taken.
        while (i < all.length && all[i]!.r.t < bucketEnd) {
          const { id, r } = all[i]!;
          const result = await ingestReadings(tenantId, id, [toReadingBody(r)], now);
          readings += result.accepted;
          i++;
        }
        for (const id of due) {
          const outcome = await runLive({ tenantId, entityId: id }, `b-${runs}`, {
            events,
            clock: () => now,
            log,
          });
          if (outcome.status === 'failed') throw new Error(`bench live run failed: ${outcome.error}`);
          runs++;
          if (outcome.consumed.writeUnits > 0) writingRuns++;
          readUnits += outcome.consumed.readUnits;
          writeUnits += outcome.consumed.writeUnits;
        }
        due.clear();
      }
    } finally {
      setLiveTrigger(previous);
    }
    return { readUnits, writeUnits, runs, writingRuns, readings };
  });
}

/** The daily job over the same readings: stored an hour per request, one planner + worker run. */
async function dailyPath(entities: Fleet, now: Date) {
  return inTable(async () => {
    const { ingestReadings } = await import('../shared/readings/service.js');
    const { processEntity } = await import('../shared/pipeline/process-entity.js');
    const { createWorkerHandler } = await import('../shared/pipeline/worker.js');
    const { READINGS_SETTLE_MS } = await import('../shared/pipeline/domain.js');
    const { runAggregation } = await import('../infra/local/aggregate.js');
    const tenantId = 'bench-daily';
    await createEntities(tenantId, entities, now);
    let newest = 0;
    for (const { id, readings } of entities) {
      const byHour = new Map<number, Reading[]>();
      for (const r of readings) {
        newest = Math.max(newest, r.t);
        const hour = Math.floor(r.t / HOUR);
        byHour.set(hour, [...(byHour.get(hour) ?? []), r]);
      }
      for (const batch of byHour.values())
        await ingestReadings(
          tenantId,
          id,
          batch.map((r) => toReadingBody(r)),
          now,
        );
    }
    const worker = createWorkerHandler(processEntity);
    // As of the newest reading's settled edge: the window the real-time path's last run also reached.
    const run = await runAggregation({ worker, asOf: new Date(newest + READINGS_SETTLE_MS) });
    if (run.deadLetters.length > 0) throw new Error('bench daily run failed');
    return { readUnits: run.readUnits, writeUnits: run.writeUnits, readings: run.readings };
  });
}

/**
 * Ingest-to-listed and ingest-to-webhook latency of completed sessions under `npm start`'s in-process
 * runner and dispatcher, with a real receiver on 127.0.0.1 that verifies each request.
 */
async function latency(entities: Fleet, now: Date, maxSessions: number) {
  return inTable(async () => {
    const { ingestReadings } = await import('../shared/readings/service.js');
    const { startLocalLive } = await import('../infra/local/live.js');
    const { startInProcessDispatch } = await import('../infra/local/webhook-dispatch.js');
    const { listEntitySessions } = await import('../shared/storage/sessions.js');
    const { resetConfig } = await import('../shared/config.js');
    const { createEndpoint } = await import('../shared/webhooks/service.js');
    const { webhookEventSink } = await import('../shared/webhooks/outbox.js');
    const { startWebhookReceiver } = await import('../test/support/webhook-receiver.js');
    const tenantId = 'bench-latency';
    await createEntities(tenantId, entities, now);
    // As npm start: receivers on this machine allowed, deliveries attempted in process as recorded.
    process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
    resetConfig();
    const receiver = await startWebhookReceiver();
    const endpoint = await createEndpoint(
      tenantId,
      { url: receiver.url, events: ['charge_session.completed'] },
      now,
    );
    receiver.secret = endpoint.secret;
    const stopDispatch = startInProcessDispatch();
    const live = startLocalLive({ clock: () => now, events: webhookEventSink(() => now) });
    const samples: number[] = [];
    const hooked: number[] = [];
    let missed = 0;
    try {
      for (const { id, sim, readings, shift } of entities) {
        if (samples.length + missed >= maxSessions) break;
        let sent = 0;
        for (const truth of sim.truth) {
          if (samples.length + missed >= maxSessions) break;
          const endMs = truth.endMs + shift;
          const upTo = (t: number) => {
            let j = sent;
            while (j < readings.length && readings[j]!.t <= t) j++;
            return j;
          };
          // Everything up to the session's end, then settled; the ending upload is timed.
          const before = upTo(endMs - MINUTE);
          if (before <= sent) continue;
          await ingestReadings(
            tenantId,
            id,
            readings.slice(sent, before).map((r) => toReadingBody(r)),
            now,
          );
          await live.settle();
          const after = upTo(endMs + 10 * MINUTE);
          if (after <= before) {
            sent = before;
            continue;
          }
          await ingestReadings(
            tenantId,
            id,
            readings.slice(before, after).map((r) => toReadingBody(r)),
            now,
          );
          const t0 = performance.now();
          sent = after;
          let listed = false;
          while (performance.now() - t0 < 5_000) {
            const page = await listEntitySessions(
              tenantId,
              id,
              { start: new Date(endMs - 24 * HOUR).toISOString() },
              { pageSize: 100, startKey: undefined },
            );
            if (page.items.some((s) => Math.abs(Date.parse(s.end) - endMs) < 30 * MINUTE)) {
              listed = true;
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          if (listed) samples.push(performance.now() - t0);
          else missed++;
          // The completed event for the same session, verified by the receiver.
          while (listed && performance.now() - t0 < 5_000) {
            const arrived = receiver.received.some(
              (w) => Math.abs(Date.parse(w.payload.data?.data?.end) - endMs) < 30 * MINUTE,
            );
            if (arrived) {
              hooked.push(performance.now() - t0);
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          await live.settle();
        }
      }
    } finally {
      await live.stop();
      stopDispatch();
      await receiver.close();
    }
    if (receiver.rejected.length > 0) throw new Error('bench latency: a webhook did not verify');
    return { samples, hooked, missed };
  });
}

export async function benchLive(options: Options): Promise<Section> {
  // Quick: a smoke run (the bench's quick mode must stay within the smoke test's budget).
  const count = options.quick ? 3 : 16;
  const hours = options.quick ? 2 : 24;
  const now = new Date();
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const cadence of [1, 15]) {
    const entities = fleet(count, hours, cadence * MINUTE, now.getTime());
    const live = await livePath(entities, now);
    const daily = await dailyPath(entities, now);
    if (daily.readings === 0) throw new Error('bench live: no readings');
    const label = `${cadence}-minute cadence`;
    figures.push(
      {
        name: `real-time path: read units per reading, ${label}`,
        unit: 'RRU/reading',
        runs: [live.readUnits / live.readings],
        floorRuns: [daily.readUnits / daily.readings],
        floorName: "the daily job's for the same readings",
        better: 'lower',
        goal: { ratioAtMost: 2, text: '≤ 2× the daily job' },
      },
      {
        name: `real-time path: write units per reading, ${label}`,
        unit: 'WRU/reading',
        runs: [live.writeUnits / live.readings],
        floorRuns: [daily.writeUnits / daily.readings],
        floorName: "the daily job's for the same readings",
        better: 'lower',
        goal: { ratioAtMost: 2, text: '≤ 2× the daily job' },
      },
    );
    notes.push(
      `${label}: ${count} entities × ${hours} h, ${live.readings.toLocaleString('en-US')} readings one per request; ${live.runs.toLocaleString('en-US')} real-time runs (one per entity and ${60} s bucket with readings), ${live.writingRuns.toLocaleString('en-US')} of them wrote anything; per entity-day ${((live.readUnits / count) * (24 / hours)).toFixed(1)} read and ${((live.writeUnits / count) * (24 / hours)).toFixed(1)} write units against the daily job's ${((daily.readUnits / count) * (24 / hours)).toFixed(1)} and ${((daily.writeUnits / count) * (24 / hours)).toFixed(1)}.`,
    );
  }
  const entities = fleet(options.quick ? 2 : 8, 24, MINUTE, now.getTime());
  const { samples, hooked, missed } = await latency(entities, now, options.quick ? 2 : 20);
  if (samples.length > 0) {
    figures.push({
      name: 'real-time path, local: ingest that ends a session → completed session listed, p50',
      unit: 'ms',
      runs: [percentile(samples, 50)],
      better: 'lower',
    });
    figures.push({
      name: 'real-time path, local: ingest that ends a session → completed session listed, p95',
      unit: 'ms',
      runs: [percentile(samples, 95)],
      better: 'lower',
    });
  }
  if (hooked.length > 0) {
    figures.push({
      name: 'real-time path, local: ingest that ends a session → charge_session.completed webhook received, p50',
      unit: 'ms',
      runs: [percentile(hooked, 50)],
      better: 'lower',
    });
    figures.push({
      name: 'real-time path, local: ingest that ends a session → charge_session.completed webhook received, p95',
      unit: 'ms',
      runs: [percentile(hooked, 95)],
      better: 'lower',
    });
  }
  notes.push(
    `Webhook: ${hooked.length} of those sessions' charge_session.completed events timed to their arrival at a loopback receiver that verifies each with the standardwebhooks package (npm start's in-process dispatcher).`,
  );
  notes.push(
    `Latency: ${samples.length} sessions timed under the in-process runner (npm start's, debounce 1 s), polled every 20 ms; ${missed} not completed by the 10 minutes of readings after their end (no unplug or move seen: they complete when 2 h more data or the daily job arrive), not counted. Deployed, add the queue's ${60} s bucket and delivery delay.`,
  );
  return {
    title: 'Real-time path: DynamoDB units per reading against the daily job, and local latency',
    figures,
    notes,
  };
}
