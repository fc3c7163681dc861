// Least privilege by key: every function's table grants carry a dynamodb:LeadingKeys condition with the
// partition-key patterns of its catalog entry (infra/functions.ts), derived from the item modules' key
// builders; the unauthenticated public-charging function cannot write (or read) an API token; no function
// writes one at all (the token CLI does, with the operator's credentials).

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionSpec, JOB_FUNCTIONS } from '../../infra/functions.js';
import type { EvsFunction } from '../../infra/lambdas.js';
import { EvSessionsStack } from '../../infra/stack.js';
import { KEY_PATTERNS, type KeyGroup, keyPatterns, matchesKeyPattern } from '../../infra/table-keys.js';
import { paymentHoldKeys } from '../../shared/payments/local.js';
import { apiTokenKeys } from '../../shared/storage/api-tokens.js';
import { chargerKeys } from '../../shared/storage/chargers.js';
import { CAPTURE_SHARDS, entityKeys } from '../../shared/storage/entities.js';
import { locationKeys } from '../../shared/storage/locations.js';
import { DUE_SHARDS, publicSessionKeys } from '../../shared/storage/public-sessions.js';
import { rateCounterKeys } from '../../shared/storage/rate-counters.js';
import { readingKeys } from '../../shared/storage/readings.js';
import { rollupKeys } from '../../shared/storage/rollups.js';
import { sessionKeys } from '../../shared/storage/sessions.js';
import { tariffKeys } from '../../shared/storage/tariffs.js';
import { WEBHOOK_DUE_SHARDS, webhookKeys } from '../../shared/storage/webhooks.js';

const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
const TENANT = 'acme-fleet';
const ENTITY = '0193b6f0-7d1c-7b4e-9c2a-5f0e1d2c3b4a';
const HASH = 'f3a1c9e0b7d24e6a8c5b1d0e9f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a';

/** A real key of each group, as the item modules build it. */
const SAMPLE: Record<KeyGroup, string> = {
  tenant: entityKeys.primary(TENANT, ENTITY).pk,
  locations: locationKeys.partition(TENANT),
  tariffs: tariffKeys.partition(TENANT),
  readings: readingKeys.partition(TENANT, ENTITY),
  sessions: sessionKeys.entityPartition(TENANT, ENTITY),
  rollups: rollupKeys.entityPartition(TENANT, ENTITY),
  apiToken: apiTokenKeys.primary(HASH).pk,
  charger: chargerKeys.remoteStart('AMS042', 7).pk,
  publicSession: publicSessionKeys.primary(ENTITY).pk,
  sessionToken: publicSessionKeys.token(HASH).pk,
  rateCounter: rateCounterKeys.primary(`startSession#127.0.0.1#${Date.UTC(2026, 0, 1)}`).pk,
  paymentHold: paymentHoldKeys.primary('lp_123').pk,
  captureShards: entityKeys.captureShardPartition(CAPTURE_SHARDS - 1),
  dueShards: publicSessionKeys.duePartition(DUE_SHARDS - 1),
  webhooks: webhookKeys.partition(TENANT),
  webhookDeliveries: webhookKeys.deliveryPartition(TENANT, ENTITY),
  webhookDueShards: webhookKeys.duePartition(WEBHOOK_DUE_SHARDS - 1),
};
const READS = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']);
const matchesAny = (patterns: readonly string[], key: string) =>
  patterns.some((p) => matchesKeyPattern(p, key));

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
let stack: EvSessionsStack;
let resources: Resources;

beforeAll(() => {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  stack = new EvSessionsStack(app, 'KeysStack', {
    dailyJob: { workerEntry: 'test/fixtures/job/worker-entry.ts' },
  });
  resources = Template.fromStack(stack).toJSON().Resources as Resources;
});

function catalog(): [string, FunctionSpec, EvsFunction][] {
  return [
    ...Object.entries(FUNCTIONS).map(
      ([name, spec]) =>
        [name, spec, stack.functions[name as keyof typeof FUNCTIONS]] as [string, FunctionSpec, EvsFunction],
    ),
    ['planner', JOB_FUNCTIONS.planner, stack.dailyJob!.planner],
    ['worker', JOB_FUNCTIONS.worker, stack.dailyJob!.worker],
  ];
}

/** The role's DynamoDB statements as granted: actions and the LeadingKeys patterns. */
function tableGrants(fn: EvsFunction) {
  const roleId = stack.getLogicalId(fn.role.node.defaultChild as never);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as any[])
    .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')))
    .map((s) => ({
      actions: [s.Action].flat() as string[],
      keys: s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined,
    }));
}

describe('the key patterns', () => {
  it('match the keys the item modules build, and each group only its own', () => {
    for (const [group, key] of Object.entries(SAMPLE) as [KeyGroup, string][]) {
      expect(matchesAny(KEY_PATTERNS[group], key), `${group} ${key}`).toBe(true);
      for (const [other, otherKey] of Object.entries(SAMPLE) as [KeyGroup, string][]) {
        if (other === group) continue;
        // `T#*` is the one pattern that holds others: every tenant-scoped partition is below `T#<tenant>`.
        const nested = group === 'tenant' && otherKey.startsWith('T#');
        expect(matchesAny(KEY_PATTERNS[group], otherKey), `${group} vs ${other} ${otherKey}`).toBe(nested);
      }
    }
  });

  it('follow IAM’s StringLike: `*` any run, `?` one character, the rest literal', () => {
    expect(matchesKeyPattern('T#*#E#*#SESSIONS', 'T#a#E#b#c#SESSIONS')).toBe(true);
    expect(matchesKeyPattern('T#*', 'TOKEN#abc')).toBe(false);
    expect(matchesKeyPattern('CAPTURE#0?', 'CAPTURE#07')).toBe(true);
    expect(matchesKeyPattern('RATE#*', 'RATE#')).toBe(true);
    expect(matchesKeyPattern('A.B', 'AxB')).toBe(false);
  });
});

describe('every function’s table grants', () => {
  it('carry its catalog entry’s partition patterns: reads with `reads`, writes with `writes`', () => {
    for (const [name, spec, fn] of catalog()) {
      const grants = tableGrants(fn);
      if (!spec.table) {
        expect(grants, name).toEqual([]);
        continue;
      }
      for (const grant of grants) {
        const reads = grant.actions.filter((a) => READS.has(a));
        const writes = grant.actions.filter((a) => !READS.has(a));
        // CDK merges a function's read and write statements when their resources and keys are equal.
        if (reads.length > 0) expect(grant.keys, name).toEqual(keyPatterns(spec.table.reads));
        if (writes.length > 0) expect(grant.keys, name).toEqual(keyPatterns(spec.table.writes!));
      }
      expect(grants.flatMap((g) => g.actions).sort(), name).toEqual([...spec.table.actions].sort());
    }
  });

  it('never let the public-charging function, or any function, write an API token', () => {
    const token = SAMPLE.apiToken;
    for (const [name, , fn] of catalog()) {
      for (const grant of tableGrants(fn)) {
        const canWrite = grant.actions.some((a) => /Put|Update|Delete|BatchWrite/.test(a));
        if (canWrite) expect(matchesAny(grant.keys!, token), name).toBe(false);
      }
    }
    // The unauthenticated function can neither read a token, an entity's readings or a tenant's locations
    // by writing, nor write a tenant's entity.
    const publicGrants = tableGrants(stack.functions['public-charging']);
    const publicWrites = publicGrants.find((g) => g.actions.includes('dynamodb:PutItem'))!;
    for (const key of [token, SAMPLE.tenant, SAMPLE.readings, SAMPLE.locations])
      expect(matchesAny(publicWrites.keys!, key), key).toBe(false);
    const publicReads = publicGrants.find((g) => g.actions.includes('dynamodb:GetItem'))!;
    expect(matchesAny(publicReads.keys!, token)).toBe(false);
    // Only the authorizer reads tokens.
    const readers = catalog()
      .filter(([, , fn]) => tableGrants(fn).some((g) => matchesAny(g.keys!, token)))
      .map(([name]) => name);
    expect(readers).toEqual(['authorizer']);
  });

  it('give the planner the capture shards of GSI1 and nothing else, and the sweeper the due shards', () => {
    expect(tableGrants(stack.dailyJob!.planner)).toEqual([
      { actions: ['dynamodb:Query'], keys: keyPatterns(['captureShards']) },
    ]);
    expect(KEY_PATTERNS.captureShards).toHaveLength(CAPTURE_SHARDS);
    const sweeperReads = tableGrants(stack.functions['public-charging-sweeper']).find((g) =>
      g.actions.includes('dynamodb:Query'),
    )!;
    for (let shard = 0; shard < DUE_SHARDS; shard++)
      expect(sweeperReads.keys).toContain(publicSessionKeys.duePartition(shard));
  });

  it('keep the readings and locations functions to their own partitions for writes', () => {
    const writesOf = (name: 'readings' | 'locations') =>
      tableGrants(stack.functions[name]).find((g) => g.actions.includes('dynamodb:PutItem'))!.keys!;
    expect(writesOf('readings')).toEqual(KEY_PATTERNS.readings);
    // Locations also count themselves as references of the tariff they name (shared/storage/tariffs.ts).
    expect(writesOf('locations')).toEqual([...KEY_PATTERNS.locations, ...KEY_PATTERNS.tariffs].sort());
    expect(matchesAny(writesOf('readings'), SAMPLE.tenant)).toBe(false);
    expect(matchesAny(writesOf('locations'), SAMPLE.tenant)).toBe(false);
  });
});
