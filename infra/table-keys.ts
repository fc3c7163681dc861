// The partition keys a function may touch, as IAM `dynamodb:LeadingKeys` patterns (StringLike: `*` is any
// run of characters), built from the item modules' own key builders with `*` for every variable part, so
// a change of key layout changes the grants with it. For a Query on an index the condition is checked
// against the index's partition key, so index partitions are listed here too.
//
// What StringLike cannot say: "T#<tenant> and nothing after it". The entity and tenant-settings items live
// in the partition `T#<tenant>`, so a function that reads them gets `T#*`, which also matches every other
// tenant-scoped partition. Tenants themselves are kept apart by code (the tenant comes from the
// authorizer), not by IAM: one role serves every tenant.

import { paymentHoldKeys } from '../shared/payments/local.js';
import { apiTokenKeys } from '../shared/storage/api-tokens.js';
import { chargerKeys } from '../shared/storage/chargers.js';
import { CAPTURE_SHARDS, entityKeys } from '../shared/storage/entities.js';
import { locationKeys } from '../shared/storage/locations.js';
import { DUE_SHARDS, publicSessionKeys } from '../shared/storage/public-sessions.js';
import { rateCounterKeys } from '../shared/storage/rate-counters.js';
import { readingKeys } from '../shared/storage/readings.js';
import { rollupKeys } from '../shared/storage/rollups.js';
import { sessionKeys } from '../shared/storage/sessions.js';
import { tariffKeys } from '../shared/storage/tariffs.js';
import { WEBHOOK_DUE_SHARDS, webhookKeys } from '../shared/storage/webhooks.js';

const ANY = '*';
const shards = (count: number, key: (shard: number) => string) =>
  Array.from({ length: count }, (_, shard) => key(shard));

export const KEY_PATTERNS = {
  /** Every tenant-scoped partition: `T#<tenant>` (entities, settings) and all below it. */
  tenant: [entityKeys.tenantPartition(ANY)],
  locations: [locationKeys.partition(ANY)],
  /** A tenant's tariffs, their versions and dynamic prices (and the reference counts locations keep). */
  tariffs: [tariffKeys.partition(ANY)],
  readings: [readingKeys.partition(ANY, ANY)],
  sessions: [sessionKeys.entityPartition(ANY, ANY)],
  /** Daily rollups and the daily-job state (stale marks, lease) of an entity. */
  rollups: [rollupKeys.entityPartition(ANY, ANY)],
  apiToken: [apiTokenKeys.primary(ANY).pk],
  /** A charger, its remote-start pointers and its waiting commands. */
  charger: [chargerKeys.partition(ANY)],
  publicSession: [publicSessionKeys.primary(ANY).pk],
  sessionToken: [publicSessionKeys.token(ANY).pk],
  rateCounter: [rateCounterKeys.primary(ANY).pk],
  paymentHold: [paymentHoldKeys.primary(ANY).pk],
  /** GSI1's capture shards, each named: the planner's whole world. */
  captureShards: shards(CAPTURE_SHARDS, entityKeys.captureShardPartition),
  /** GSI1's due-index shards, each named: the sweeper's. */
  dueShards: shards(DUE_SHARDS, publicSessionKeys.duePartition),
  /** A tenant's webhook endpoints and the events recorded for them. */
  webhooks: [webhookKeys.partition(ANY)],
  /** The deliveries of every endpoint of a tenant (their log, their state). */
  webhookDeliveries: [webhookKeys.deliveryPartition(ANY, ANY)],
  /** GSI1's webhook due-index shards, each named: the dispatcher's. */
  webhookDueShards: shards(WEBHOOK_DUE_SHARDS, webhookKeys.duePartition),
} as const;

export type KeyGroup = keyof typeof KEY_PATTERNS;

export function keyPatterns(groups: readonly KeyGroup[]): string[] {
  return [...new Set(groups.flatMap((group) => KEY_PATTERNS[group]))].sort();
}

/** IAM's StringLike: `*` any run of characters, `?` any one; everything else literal. */
export function matchesKeyPattern(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}
