// The catalog of Lambda functions: entry file, sizing, and exactly what each may do to the table. The
// stack turns `table.actions` into IAM statements on the table (and the named indexes): the reads limited
// to the partition keys of `table.reads`, the writes to those of `table.writes` (dynamodb:LeadingKeys,
// infra/table-keys.ts), so least privilege, down to the key prefix, is read off this file. FUNCTIONS are the HTTP API's (and its authorizer);
// JOB_FUNCTIONS are the daily job's, whose queue rights infra/daily-job.ts grants next to the queues.

import type { FunctionName } from '../shared/http/route.js';
import {
  LIVE_WORKER_TIMEOUT_SECONDS,
  PLANNER_TIMEOUT_SECONDS,
  WORKER_TIMEOUT_SECONDS,
} from '../shared/pipeline/settings.js';
import type { IndexName } from '../shared/storage/table.js';
import type { LazyModule } from './bundling-options.js';
import type { KeyGroup } from './table-keys.js';

export type DynamoAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

export interface FunctionSpec {
  /** Path from the repository root. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  table?: {
    actions: DynamoAction[];
    indexes?: IndexName[];
    /** The actions apply to the named indexes only, not to the table itself. */
    indexesOnly?: boolean;
    /** Partitions (of the table, and of the indexes it queries) its reads may name. */
    reads: KeyGroup[];
    /** Partitions its writes may name; none when it only reads. */
    writes?: KeyGroup[];
  };
  /** Reads the continuation-token key (list operations). */
  cursorSecret?: boolean;
  /** Reads the payment provider's keys (holds, captures, refunds of public charging). */
  paymentSecret?: boolean;
  /**
   * Records webhook events (shared/webhooks/outbox.ts): may send to the webhook queue, whose URL it gets,
   * so the dispatcher makes the first attempt at once (infra/webhooks.ts).
   */
  recordsWebhookEvents?: boolean;
  /** Packages imported only on a rare path, shipped beside the bundle (infra/bundling-options.ts). */
  lazyModules?: LazyModule[];
}

/** Functions that serve no route: invoked by a schedule. */
export type WorkerName = 'public-charging-sweeper' | 'webhook-dispatcher';

export const FUNCTIONS: Record<FunctionName | 'authorizer' | WorkerName, FunctionSpec> = {
  authorizer: {
    entry: 'functions/authorizer.ts',
    description: 'API Gateway Lambda authorizer: looks a bearer token up by its SHA-256',
    memoryMb: 512,
    timeoutSeconds: 5,
    table: { actions: ['dynamodb:GetItem'], reads: ['apiToken'] },
  },
  meta: {
    entry: 'functions/meta.ts',
    description: 'OpenAPI document, error-code descriptions, and 404/405 for unknown routes',
    memoryMb: 256,
    timeoutSeconds: 5,
  },
  entities: {
    entry: 'functions/entities.ts',
    description: 'Entities, battery capacity and features',
    memoryMb: 512,
    // Deleting an entity removes its whole history (readings, sessions, rollups) in batches; HTTP APIs
    // allow an integration 30 s, and an interrupted DELETE is simply sent again.
    timeoutSeconds: 29,
    table: {
      // Query (keys only) + BatchWriteItem (deletes): an entity's data partitions, when it is deleted;
      // GetItem and DeleteItem also on its daily-job state (the lease a DELETE waits for, then the item).
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ],
      // The entity item is in `T#<tenant>`; StringLike cannot name it without every partition below it.
      reads: ['tenant'],
      writes: ['tenant'],
    },
    cursorSecret: true,
  },
  readings: {
    entry: 'functions/readings.ts',
    description: 'Readings ingestion (packed into hour segments) and listing',
    // A 1,000-reading request is parsed, validated, deflated and written in parallel: CPU grows with memory.
    memoryMb: 1024,
    timeoutSeconds: 15,
    table: {
      // GetItem: the entity (404, its session cursor) and the tenant's settings; Query: the hour buckets a
      // request touches (duplicates) and listings; PutItem: new segments and conditional rewrites.
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
      reads: ['tenant'],
      // Writes segments, nothing else.
      writes: ['readings'],
    },
    cursorSecret: true,
  },
  locations: {
    entry: 'functions/locations.ts',
    description: "The tenant's named locations",
    memoryMb: 512,
    timeoutSeconds: 10,
    table: {
      // Query: list, and count against the cap; PutItem/DeleteItem: create and delete, conditionally;
      // UpdateItem: the reference count of the tariff a location names (shared/storage/tariffs.ts).
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      // Writes a named tariff's reference count (UpdateItem ADD, conditional): no read of that partition.
      reads: ['locations'],
      writes: ['locations', 'tariffs'],
    },
    cursorSecret: true,
  },
  tariffs: {
    entry: 'functions/tariffs.ts',
    description: 'Tariffs, their versions and dynamic prices',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: {
      // GetItem: a tariff or version; Query: list, and the price days a read covers; PutItem: a new tariff,
      // its version items, price days; UpdateItem: an edit (conditional on the version); DeleteItem: delete.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      // Its tariffs, their versions and prices, and the cost settings: all in `T#<tenant>#TARIFFS`.
      reads: ['tariffs'],
      writes: ['tariffs'],
    },
    cursorSecret: true,
  },
  reports: {
    entry: 'functions/reports.ts',
    description: 'The monthly cost and reimbursement report',
    memoryMb: 1024,
    timeoutSeconds: 29,
    table: {
      // GetItem: the entity, the cost settings; Query: the tenant's entities, an entity's sessions (table)
      // and the tenant's sessions (GSI2). Reads only.
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      indexes: ['GSI2'],
      // The entity and cost settings (`T#<tenant>`), sessions, and GSI2's `T#<tenant>#SESSIONS`.
      reads: ['tenant'],
    },
  },
  sessions: {
    entry: 'functions/sessions.ts',
    description: 'Charge-session listings (per entity and per fleet), their exports, and daily energy',
    // CSV exports serialise up to 4 MiB per response; Lambda's CPU grows with memory.
    memoryMb: 1024,
    // A CSV response runs at most CSV_MAX_QUERIES Queries; HTTP APIs give up on an integration after 30 s.
    timeoutSeconds: 29,
    table: {
      // GetItem: the entity (404, type, name); BatchGetItem: entity names in fleet CSVs; Query: the
      // entity's session and rollup partitions (table), the tenant's sessions and rollups (GSI2), and
      // the tenant's chargers with their EV-ChART registrations for format=evchart (GSI1). Reads only.
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      indexes: ['GSI1', 'GSI2'],
      // GSI1 `T#<tenant>#CHARGERS`, GSI2 `T#<tenant>#SESSIONS` / `#DAILY`: all tenant-scoped.
      reads: ['tenant'],
    },
    cursorSecret: true,
  },
  chargers: {
    entry: 'functions/chargers.ts',
    description: 'Chargers, their public sessions, OCPP messages and command answers from the CSMS',
    memoryMb: 512,
    timeoutSeconds: 15,
    table: {
      // Query: lists (GSI1 chargers, GSI2 sessions), a charger's waiting commands (its partition) and a
      // CP's sessions around a measured one. Delete: chargers, answered commands, calculated sessions a
      // measured one supersedes. Update: outbox and local payment holds, measured sessions, rollup marks.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      indexes: ['GSI1', 'GSI2'],
      // The entity a charger measures (tenant), its chargers (GSI1) and their public sessions (GSI2); the
      // tariff a charger names (tenant covers T#*#TARIFFS) and its reference count (UpdateItem ADD).
      reads: ['tenant', 'charger', 'publicSession', 'paymentHold', 'webhooks'],
      // …and the webhook event of a status change, with its deliveries (shared/webhooks/outbox.ts).
      writes: [
        'charger',
        'publicSession',
        'paymentHold',
        'sessions',
        'rollups',
        'tariffs',
        'webhooks',
        'webhookDeliveries',
      ],
    },
    cursorSecret: true,
    paymentSecret: true,
    lazyModules: ['stripe'],
    recordsWebhookEvents: true,
  },
  'public-charging': {
    entry: 'functions/public-charging.ts',
    description: 'Public charging for drivers: chargers by code, sessions by token (no bearer token)',
    memoryMb: 512,
    timeoutSeconds: 15,
    table: {
      // No index: every public read is a GetItem by key (charger code, token hash, id). Query on the
      // table only for a CP's sessions around a measured one, which a driver's read or stop can record
      // (a due timeout settles the session). Delete: a session whose connector claim was lost before it
      // was handed out, and calculated sessions a measured one supersedes. Update: also rollup marks.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      // Never an API token, an entity, a reading or a location: drivers are not tenants. Its reads
      // include `T#*` for the charge point's entity (is capture on?) and its sessions.
      reads: ['tenant', 'charger', 'publicSession', 'sessionToken', 'rateCounter', 'paymentHold', 'webhooks'],
      writes: [
        'charger',
        'publicSession',
        'sessionToken',
        'rateCounter',
        'paymentHold',
        'sessions',
        'rollups',
        // A status change's webhook event and its deliveries (shared/webhooks/outbox.ts).
        'webhooks',
        'webhookDeliveries',
      ],
    },
    paymentSecret: true,
    lazyModules: ['stripe'],
    recordsWebhookEvents: true,
  },
  'public-charging-sweeper': {
    entry: 'functions/public-charging-sweeper.ts',
    description: 'Every minute: public-session timeouts and effects left pending by a crash',
    memoryMb: 512,
    timeoutSeconds: 55,
    table: {
      // Query: the due index (GSI1), and a CP's sessions around a measured one it records. Delete: only
      // the calculated sessions a measured one supersedes (conditional on `source`). Otherwise it moves
      // sessions, frees connectors, records measured sessions, marks rollups stale and writes commands.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      indexes: ['GSI1'],
      reads: ['dueShards', 'tenant', 'charger', 'publicSession', 'paymentHold', 'webhooks'],
      // …and the webhook event of a status change, with its deliveries (shared/webhooks/outbox.ts).
      writes: [
        'charger',
        'publicSession',
        'paymentHold',
        'sessions',
        'rollups',
        'webhooks',
        'webhookDeliveries',
      ],
    },
    paymentSecret: true,
    lazyModules: ['stripe'],
    recordsWebhookEvents: true,
  },
  webhooks: {
    entry: 'functions/webhooks.ts',
    description: "The tenant's webhook endpoints, their delivery log, test pings and resends",
    memoryMb: 512,
    // A test ping or a resend waits for the receiver (10 s at most) within the request.
    timeoutSeconds: 20,
    table: {
      // GetItem/PutItem/DeleteItem: endpoints; Query: the tenant's endpoints (list, cap) and an endpoint's
      // deliveries; PutItem/UpdateItem: a test delivery, a resend, an attempt's outcome and the endpoint's
      // state. No index, and nothing outside the tenant's webhook partitions.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      reads: ['webhooks', 'webhookDeliveries'],
      writes: ['webhooks', 'webhookDeliveries'],
    },
    cursorSecret: true,
  },
  'webhook-dispatcher': {
    entry: 'functions/webhook-dispatcher.ts',
    description:
      'Attempts webhook deliveries: new ones from the webhook queue at once, and every minute all that are due',
    memoryMb: 512,
    // Up to 16 receivers at a time, each given 10 s; the next run a minute later takes what is left.
    timeoutSeconds: 55,
    table: {
      // Query: the due index (GSI1); GetItem: a delivery and its endpoint; UpdateItem: claim, outcome, and
      // the endpoint's failing/gone state. It never creates or deletes an item.
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      indexes: ['GSI1'],
      reads: ['webhookDueShards', 'webhooks', 'webhookDeliveries'],
      writes: ['webhooks', 'webhookDeliveries'],
    },
  },
};

/** The daily job's functions: not behind the HTTP API, invoked by the schedule and the queue. */
export type JobFunctionName = 'planner' | 'worker' | 'live-worker';

export const JOB_FUNCTIONS: Record<JobFunctionName, FunctionSpec> = {
  planner: {
    entry: 'functions/planner.ts',
    description: 'Daily job: pages the capture index and sends every enabled entity to the job queue',
    memoryMb: 512,
    timeoutSeconds: PLANNER_TIMEOUT_SECONDS,
    // The sparse capture index, and nothing of the table itself.
    table: { actions: ['dynamodb:Query'], indexes: ['GSI1'], indexesOnly: true, reads: ['captureShards'] },
  },
  worker: {
    entry: 'functions/worker.ts',
    description: 'Daily job: computes and stores one entity’s sessions per message, then its daily rollups',
    // The session engine is CPU-bound; Lambda's CPU grows with memory.
    memoryMb: 1024,
    timeoutSeconds: WORKER_TIMEOUT_SECONDS,
    table: {
      // GetItem: the entity with its cursor, the tenant's settings, the job state; Query: readings,
      // locations, sessions and rollups; UpdateItem: session upserts, the cursor, the lease;
      // BatchWriteItem: rollup puts and deletes; DeleteItem: a calculated session a measured one
      // supersedes (conditional on `source`, which a batch delete cannot be), and a deleted entity's job
      // state (conditional on the lease); PutItem: a webhook event and its deliveries, each once
      // (attribute_not_exists). processEntity puts no session item whole.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ],
      // The entity (cursor), settings, locations, readings, sessions, rollups and job state: its tenant's.
      reads: ['tenant'],
      writes: ['tenant'],
    },
    // charge_session.* events and their deliveries (PutItem, in T#<tenant>#WEBHOOK…), handed to the dispatcher.
    recordsWebhookEvents: true,
  },
  'live-worker': {
    entry: 'functions/live-worker.ts',
    description: 'Real-time path: runs the engine for one entity per message soon after its readings arrive',
    memoryMb: 1024,
    timeoutSeconds: LIVE_WORKER_TIMEOUT_SECONDS,
    table: {
      // The daily worker's own calls (it runs processEntity and the rollups under the same lease), and
      // DeleteItem of an active session that was withdrawn or whose start moved (conditional on status).
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ],
      // The entity (cursor, live state), settings, locations, tariffs, readings, sessions, rollups and job
      // state: all under its tenant's `T#<tenant>` partitions, which StringLike cannot narrow further.
      reads: ['tenant'],
      writes: ['tenant'],
    },
    // charge_session.* events and their deliveries (PutItem, in T#<tenant>#WEBHOOK…), handed to the dispatcher.
    recordsWebhookEvents: true,
  },
};

/**
 * The OCPP-J gateway's task (infra/ocpp-gateway.ts): not a Lambda, but the same kind of grant. It applies
 * charger messages and command answers exactly as the chargers function does (shared/chargers/events.ts),
 * so it touches what that function touches for them — a charger, its station item, pointers and commands;
 * the session and its outbox; payment holds and captures (with Stripe, its keys); the measured session of a
 * CP and its rollup marks; the CP entity (does it capture sessions?) — and lists nothing, so no index.
 */
export const OCPP_GATEWAY: Pick<FunctionSpec, 'entry' | 'description' | 'table' | 'paymentSecret'> = {
  entry: 'infra/ocpp-gateway/main.ts',
  description: 'OCPP 2.0.1 (OCPP-J) gateway: chargers that connect directly over WebSocket',
  table: {
    actions: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
    // …and, as the chargers function, the webhook events of what it changes (a public session's status,
    // a calculated session a measured one supersedes) with their deliveries.
    reads: ['tenant', 'charger', 'publicSession', 'paymentHold', 'webhooks'],
    writes: [
      'charger',
      'publicSession',
      'paymentHold',
      'sessions',
      'rollups',
      'webhooks',
      'webhookDeliveries',
    ],
  },
  paymentSecret: true,
};
