// The daily job's tests: processors to inject into the worker (processEntity computes sessions from
// readings; these stand in for it with its contract), a simulated fleet whose readings are stored for
// processEntity itself, and DynamoDB faults injected above the SDK's retries.

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mapConcurrent } from '../../shared/concurrency.js';
import { type EntityRecord, isCaptureEnabled, newEntity } from '../../shared/entities/domain.js';
import type { Logger } from '../../shared/logger.js';
import type { EntityProcessor, EntityRef, ProcessEntityResult } from '../../shared/pipeline/processor.js';
import { ingestReadings } from '../../shared/readings/service.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { documentClient, tableName } from '../../shared/storage/client.js';
import { getEntity, putNewEntity, setFeature } from '../../shared/storage/entities.js';
import { putNewLocation } from '../../shared/storage/locations.js';
import { rollupKeys } from '../../shared/storage/rollups.js';
import { upsertSession } from '../../shared/storage/sessions.js';
import { Rng } from '../simulator/prng.js';
import { PROFILES, type SimulatedEntity, simulateEntity } from '../simulator/simulate.js';
import { toReadingBody } from './readings.js';

const NO_UNITS = { readUnits: 0, writeUnits: 0 };

/** For workers whose failures a test provokes on purpose: their warnings would only bury the test output. */
export const quietLog: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => quietLog,
};

// ----- entities --------------------------------------------------------------------------------------------

/** Zones east and west of UTC, half-hour offsets, and DST on both hemispheres. */
export const JOB_ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Pacific/Kiritimati',
  'Australia/Lord_Howe',
] as const;

/** A fixed UUID per number, so two tenants can hold "the same" entity. */
export function jobEntityId(n: number): string {
  return `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Stores entities with CaptureChargeSessions on (in the capture index), zones and types taking turns. */
export async function createJobEntities(tenantId: string, ids: readonly string[]): Promise<EntityRecord[]> {
  const at = new Date('2025-12-01T00:00:00.000Z');
  const entities = ids.map((id, n) => ({
    ...newEntity(
      tenantId,
      id,
      {
        type: n % 3 === 2 ? ('CP' as const) : ('EV' as const),
        name: `Job entity ${n}`,
        timeZone: JOB_ZONES[n % JOB_ZONES.length] as string,
        capabilities: ['power', 'energy'],
      },
      at,
    ),
    features: { CaptureChargeSessions: { enabled: true, since: at.toISOString() } },
  }));
  for (let i = 0; i < entities.length; i += 25)
    await Promise.all(entities.slice(i, i + 25).map((entity) => putNewEntity(entity)));
  return entities;
}

/** Switches CaptureChargeSessions (and so the entity's place in the capture index). */
export async function setCapture(tenantId: string, entityId: string, enabled: boolean): Promise<void> {
  const updated = await setFeature(
    { tenantId, id: entityId },
    'CaptureChargeSessions',
    { enabled, since: new Date('2026-01-01T00:00:00.000Z').toISOString() },
    { requireBatteryCapacity: false },
  );
  if (!updated) throw new Error(`no entity ${entityId}`);
}

/** A processor's result when it read and wrote nothing. */
const nothingDone = (status: ProcessEntityResult['status']): ProcessEntityResult => ({
  status,
  readings: 0,
  sessionsWritten: 0,
  sessionsSkipped: 0,
  cursorBefore: null,
  cursorAfter: null,
  consumed: NO_UNITS,
});

/** Does nothing but say the entity was processed: the rollups then come from sessions already stored. */
export const processedOnly: EntityProcessor = async () => nothingDone('processed');

/** Like processEntity for entities without readings: deleted and switched-off entities are skipped. */
export const entityAwareProcessor: EntityProcessor = async (ref) => {
  const entity = await getEntity(ref.tenantId, ref.entityId);
  const status: ProcessEntityResult['status'] = !entity
    ? 'skipped_missing'
    : isCaptureEnabled(entity)
      ? 'processed'
      : 'skipped_disabled';
  return nothingDone(status);
};

// ----- a stand-in for processEntity with sessions --------------------------------------------------------

const HOUR = 3_600_000;
/** Where every simulated entity's history begins. */
export const SIMULATION_ORIGIN_MS = Date.parse('2026-01-01T00:00:00.000Z');
/** A session is complete once the data reaches this far past its end (the engine's rule, MERGE_GAP_MS). */
const COMPLETE_AFTER_MS = 2 * HOUR;

function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

function idOf(entityId: string, startMs: number): string {
  const hex = (seedOf(`${entityId}#${startMs}`).toString(16) + seedOf(`${startMs}#${entityId}`).toString(16))
    .padStart(16, '0')
    .slice(0, 12);
  return `00000000-0000-7000-8000-${hex}`;
}

interface SimulatedSession {
  startMs: number;
  endMs: number;
  energyKwh: number;
  chargingSeconds: number;
}

/**
 * The charging an entity "did", deterministic from its id: a session every 14–38 hours lasting 30 min to
 * 9 h (many cross midnight in some zone), until `untilMs`.
 */
export function simulatedHistory(entityId: string, untilMs: number): SimulatedSession[] {
  const rng = new Rng(seedOf(entityId));
  const sessions: SimulatedSession[] = [];
  let at = SIMULATION_ORIGIN_MS;
  for (;;) {
    const startMs = at + Math.round(rng.uniform(14, 38) * 60) * 60_000;
    if (startMs > untilMs) return sessions;
    const durationMs = Math.round(rng.uniform(0.5, 9) * 60) * 60_000;
    sessions.push({
      startMs,
      endMs: startMs + durationMs,
      energyKwh: Math.round(rng.uniform(3, 70) * 1000) / 1000,
      chargingSeconds: Math.round((durationMs / 1000) * rng.uniform(0.7, 1)),
    });
    at = startMs + durationMs;
  }
}

const cursorKey = (ref: EntityRef) => ({
  pk: `T#${ref.tenantId}#E#${ref.entityId}#TESTCURSOR`,
  sk: 'CURSOR',
});

/**
 * processEntity's contract over a simulated history instead of readings: skips deleted and switched-off
 * entities; stores the sessions completed by `now` since the cursor (upserts keyed by start, `created` =
 * the run); advances the cursor to before the first session still in progress, only after the sessions
 * are stored. `readings` counts one per minute processed. Every step is a real DynamoDB call, so injected
 * faults hit it like they would hit processEntity.
 */
export function simulatedProcessor(
  hooks: { beforeEntity?: (ref: EntityRef) => Promise<void> } = {},
): EntityProcessor {
  return async (ref, now) => {
    await hooks.beforeEntity?.(ref);
    const entity = await getEntity(ref.tenantId, ref.entityId);
    if (!entity) return nothingDone('skipped_missing');
    if (!isCaptureEnabled(entity)) return nothingDone('skipped_disabled');

    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: cursorKey(ref), ConsistentRead: true }),
    );
    const cursorBefore = (Item?.cursor as string | undefined) ?? null;
    const fromMs = cursorBefore ? Date.parse(cursorBefore) : SIMULATION_ORIGIN_MS;
    const asOfMs = now.getTime();
    const history = simulatedHistory(ref.entityId, asOfMs).filter((s) => s.startMs >= fromMs);
    const complete = history.filter((s) => s.endMs + COMPLETE_AFTER_MS <= asOfMs);
    const pending = history.find((s) => s.endMs + COMPLETE_AFTER_MS > asOfMs);
    for (const s of complete) {
      const session: ChargeSessionRecord = {
        tenantId: ref.tenantId,
        entityId: ref.entityId,
        entityType: entity.type,
        id: idOf(ref.entityId, s.startMs),
        start: new Date(s.startMs).toISOString(),
        end: new Date(s.endMs).toISOString(),
        energyKwh: s.energyKwh,
        averagePowerKw: s.energyKwh / ((s.endMs - s.startMs) / HOUR),
        peakPowerKw: 11,
        chargingSeconds: s.chargingSeconds,
        socStartPercent: null,
        socEndPercent: null,
        rangeStartKm: null,
        rangeEndKm: null,
        locationMatches: [],
        position: null,
        method: 'power_flow',
        source: 'calculated',
        created: now.toISOString(),
        measured: null,
      };
      await upsertSession(session);
    }
    const cursorAfterMs = Math.min(pending?.startMs ?? asOfMs, asOfMs);
    const cursorAfter = new Date(Math.max(cursorAfterMs, fromMs)).toISOString();
    await documentClient().send(
      new PutCommand({ TableName: tableName(), Item: { ...cursorKey(ref), cursor: cursorAfter } }),
    );
    return {
      status: 'processed',
      readings: Math.floor((Date.parse(cursorAfter) - fromMs) / 60_000),
      sessionsWritten: complete.length,
      sessionsSkipped: 0,
      cursorBefore,
      cursorAfter,
      consumed: NO_UNITS,
    };
  };
}

// ----- faults ------------------------------------------------------------------------------------------

/** The low-level command names the middleware sees. */
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const FAULTS = 'evsTestDynamoFaults';

function fault(name: string): Error {
  const error = new Error(`injected ${name}`);
  error.name = name;
  return error;
}

/**
 * Runs `fn` with `middleware` seeing every DynamoDB call of this process (the API's, the worker's) before
 * it is sent: to act at a precise moment, or to fail a chosen call.
 */
export async function withDynamoMiddleware<T>(
  name: string,
  middleware: (input: Record<string, any>, command: string) => Promise<void> | void,
  fn: () => Promise<T>,
): Promise<T> {
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      await middleware(args.input as Record<string, any>, String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return await fn();
  } finally {
    documentClient().middlewareStack.remove(name);
  }
}

/**
 * Makes a fraction of the process's DynamoDB calls fail, above the SDK's retries (as if they had all
 * failed): `before` fails a call that never reached the table (throttling); `afterWrite` fails a write
 * that did happen (a timeout on the way back), the nastiest case for idempotency.
 */
export function injectDynamoFaults(options: {
  seed: number;
  before: number;
  afterWrite: number;
  /** Only these calls (the command as DynamoDB names it, e.g. 'BatchWriteItemCommand'); all when omitted. */
  only?: (command: string, input: Record<string, any>) => boolean;
}) {
  const rng = new Rng(options.seed);
  const stats = { calls: 0, before: 0, afterWrite: 0 };
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (options.only && !options.only(command, args.input as Record<string, any>)) return next(args);
      stats.calls++;
      if (rng.chance(options.before)) {
        stats.before++;
        throw fault(rng.chance(0.5) ? 'ProvisionedThroughputExceededException' : 'ThrottlingException');
      }
      const result = await next(args);
      if (WRITES.has(command) && rng.chance(options.afterWrite)) {
        stats.afterWrite++;
        throw fault('TimeoutError');
      }
      return result;
    },
    { step: 'initialize', name: FAULTS },
  );
  return { stats, stop: () => documentClient().middlewareStack.remove(FAULTS) };
}

// ----- a simulated fleet with real readings ----------------------------------------------------------------

/** Zones the simulator places homes in, east and west of UTC, with DST in both hemispheres. */
const FLEET_ZONES = [
  'Europe/Amsterdam',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Sydney',
  'UTC',
] as const;

export interface FleetMember {
  /** A fixed UUID per position, so two tenants can hold "the same" fleet. */
  entityId: string;
  sim: SimulatedEntity;
}

/**
 * Simulated telemetry of `count` entities (every simulator profile in turn, EVs and charge points, zones
 * taking turns) over the same local days from `startDate`, reporting every `cadenceMs`: realistic input
 * for processEntity, with the simulator's drops, duplicates, outages and sleeping cars.
 */
export function simulateFleet(options: {
  seed: number;
  count: number;
  startDate: [number, number, number];
  days: number;
  cadenceMs: number;
}): FleetMember[] {
  return Array.from({ length: options.count }, (_, n) => ({
    entityId: jobEntityId(n + 1),
    sim: simulateEntity({
      seed: options.seed + n,
      id: `fleet-${n}`,
      profile: PROFILES[n % PROFILES.length]!,
      timeZone: FLEET_ZONES[n % FLEET_ZONES.length]!,
      startDate: options.startDate,
      days: options.days,
      cadenceMs: options.cadenceMs,
    }),
  }));
}

/** Readings of at most this many a request, as an uploader sends them. */
const UPLOAD_BATCH = 500;

/**
 * Stores a fleet in a tenant as the API would: each entity (its zone, type and battery capacity, capture
 * on), the tenant's location at each entity's home, and the entity's readings up to `untilMs` through the
 * ingest use case in batches, duplicates included (the store keeps the first). Returns the readings stored.
 */
export async function seedFleet(
  tenantId: string,
  fleet: readonly FleetMember[],
  now: Date,
  untilMs = Number.POSITIVE_INFINITY,
): Promise<number> {
  const since = new Date('2025-12-01T00:00:00.000Z').toISOString();
  let stored = 0;
  await mapConcurrent(fleet, 8, async ({ entityId, sim }) => {
    await putNewEntity({
      ...newEntity(
        tenantId,
        entityId,
        { type: sim.entity.type, name: sim.entity.id, timeZone: sim.timeZone, capabilities: [] },
        new Date(since),
      ),
      batteryCapacityKwh: sim.entity.batteryCapacityKwh,
      features: { CaptureChargeSessions: { enabled: true, since } },
    });
    await putNewLocation({
      tenantId,
      id: entityId.replace(/^01900000-0000-7000-8000/, '01900000-0000-7000-9000'),
      label: sim.locations[0]!.label,
      lat: sim.home.lat,
      lon: sim.home.lon,
      radiusMeters: sim.locations[0]!.radiusMeters,
      category: 'home',
      tariffId: null,
      created: since,
    });
    const bodies = sim.readings.filter((r) => r.t <= untilMs).map((r) => toReadingBody(r));
    for (let i = 0; i < bodies.length; i += UPLOAD_BATCH) {
      const result = await ingestReadings(tenantId, entityId, bodies.slice(i, i + UPLOAD_BATCH), now);
      stored += result.accepted;
    }
  });
  return stored;
}

/** The entity's job-state item (lease, rollup mark, stale marks) as stored, read strongly consistent. */
export async function jobState(tenantId: string, entityId: string) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: rollupKeys.jobState(tenantId, entityId),
      ConsistentRead: true,
    }),
  );
  return Item;
}
