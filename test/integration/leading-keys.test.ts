// The key conditions of the deployed roles (infra/functions.ts `reads`/`writes`, dynamodb:LeadingKeys)
// against what the functions really do: every DynamoDB call the handlers make while a tenant's whole
// life runs over HTTP (entities, readings, locations, chargers, a public session from start to capture,
// exports, the sweeper, the daily job, an entity's deletion) is attributed to the function that made it and checked
// against that function's grants: the action, the index, and the partition key against the patterns.
// A call the deployed role would refuse (AccessDenied on AWS, fine on the local table) fails here.

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionSpec, JOB_FUNCTIONS } from '../../infra/functions.js';
import { keyPatterns, matchesKeyPattern } from '../../infra/table-keys.js';
import { allRoutes } from '../../shared/api/routes.js';
import { isPublic } from '../../shared/http/route.js';
import { documentClient } from '../../shared/storage/client.js';
import { TABLE } from '../../shared/storage/table.js';
import { statusNotification, txEvent } from '../fixtures/ocpp/builders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  createTenantFixtures,
  fixturePath,
  loopbackAddress,
  type TenantFixtures,
} from '../support/fixtures.js';
import { quietLog } from '../support/job.js';

const CATALOG: Record<string, FunctionSpec> = { ...FUNCTIONS, ...JOB_FUNCTIONS };
type FunctionName = keyof typeof FUNCTIONS | keyof typeof JOB_FUNCTIONS;
interface Call {
  fn: FunctionName;
  action: string;
  index: string | undefined;
  partitionKeys: string[];
}

const running = new AsyncLocalStorage<FunctionName>();
const calls: Call[] = [];
const RECORDER = 'leading-keys-recorder';
/** The command (as the client's middleware names it) → the IAM action it needs. */
const ACTIONS: Record<string, string> = {
  GetItemCommand: 'dynamodb:GetItem',
  PutItemCommand: 'dynamodb:PutItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  BatchGetItemCommand: 'dynamodb:BatchGetItem',
  BatchWriteItemCommand: 'dynamodb:BatchWriteItem',
};
const READS = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']);

/** The partition key values IAM sees as dynamodb:LeadingKeys for one request. */
function partitionKeysOf(command: string, input: Record<string, any>): string[] {
  if (input.Key) return [input.Key[TABLE.partitionKey]];
  if (input.Item) return [input.Item[TABLE.partitionKey]];
  if (command === 'QueryCommand') {
    const attribute = input.IndexName
      ? TABLE.indexes[input.IndexName as keyof typeof TABLE.indexes].partitionKey
      : TABLE.partitionKey;
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    for (const [, name, value] of String(input.KeyConditionExpression).matchAll(/([#\w]+)\s*=\s*(:\w+)/g))
      if ((names[name!] ?? name) === attribute) return [input.ExpressionAttributeValues[value!]];
    throw new Error(`no partition key in ${input.KeyConditionExpression}`);
  }
  const requests = Object.values(input.RequestItems ?? {}) as any[];
  return requests.flatMap((request) =>
    Array.isArray(request)
      ? request.map((r) => (r.PutRequest ? r.PutRequest.Item : r.DeleteRequest.Key)[TABLE.partitionKey])
      : request.Keys.map((key: any) => key[TABLE.partitionKey]),
  );
}

let api: TestApi;
let tenant: TenantFixtures;

beforeAll(async () => {
  api = await startTestApi({
    wrapHandler: (name, handler) => (event, context) => running.run(name, () => handler(event, context)),
  });
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const fn = running.getStore();
      // Calls outside any function are the test's own setup (issuing a token, seeding sessions).
      if (fn) {
        const command = String(context.commandName);
        const input = args.input as Record<string, any>;
        calls.push({
          fn,
          action: ACTIONS[command] ?? command,
          index: input.IndexName,
          partitionKeys: partitionKeysOf(command, input),
        });
      }
      return next(args);
    },
    { step: 'initialize', name: RECORDER },
  );
  tenant = await createTenantFixtures(api, `keys-${randomBytes(3).toString('hex')}`);
});
afterAll(async () => {
  documentClient().middlewareStack.remove(RECORDER);
  await api.close();
});

describe('what the functions do to the table', () => {
  it('stays within each function’s deployed grants, through a tenant’s whole life', async () => {
    const { token, evId, cpId, chargerCode } = tenant;
    const now = Date.now();
    const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();

    // Readings, then every GET route with the tenant's real ids.
    const readings = await api.request('POST', `/v1/entities/${evId}/readings`, {
      token,
      body: {
        readings: [
          { timestamp: iso(-20 * 60_000), soc: 41, powerKw: 7.4, isPluggedIn: true, isCharging: true },
          { timestamp: iso(-19 * 60_000), soc: 42, powerKw: 7.3, location: { lat: 52.37, lon: 4.89 } },
        ],
      },
    });
    expect(readings.status, JSON.stringify(readings.body)).toBe(202);
    const start = encodeURIComponent(iso(-7 * 86_400_000));
    const day = iso(-7 * 86_400_000).slice(0, 10);
    for (const route of allRoutes.filter((r) => r.method === 'GET')) {
      const path = fixturePath(route.path, tenant.pathValues);
      const query = /sessions|readings/.test(route.path)
        ? `?start=${start}`
        : /daily-energy/.test(route.path)
          ? `?start=${day}`
          : /reports\/monthly/.test(route.path)
            ? `?month=${day.slice(0, 7)}`
            : '';
      const response = await api.request('GET', `${path}${query}`, {
        ...(isPublic(route) ? { sourceIp: loopbackAddress() } : { token }),
      });
      expect(response.status, `${route.method} ${route.path}: ${response.text.slice(0, 300)}`).toBeLessThan(
        500,
      );
    }
    for (const format of ['csv', 'evchart'])
      await api.request('GET', `/v1/entities/${cpId}/charge-sessions?start=${start}&format=${format}`, {
        token,
      });
    await api.request('GET', `/v1/charge-sessions?start=${start}`, {
      token,
      headers: { accept: 'text/csv' },
    });

    // The public session the fixtures confirmed: the charger accepts, charges, is stopped, ends.
    const commands = await api.request('GET', `/v1/chargers/${chargerCode}/commands`, { token });
    const startCommand = commands.body.data.find((c: any) => c.action === 'RequestStartTransaction');
    await api.request('POST', `/v1/chargers/${chargerCode}/commands/${startCommand.commandId}/result`, {
      token,
      body: { status: 'Accepted' },
    });
    const t0 = new Date(now - 30 * 60_000);
    await api.request('POST', `/v1/chargers/${chargerCode}/status-notifications`, {
      token,
      body: statusNotification('Occupied', t0),
    });
    const tx = { transactionId: 'TX-KEYS', remoteStartId: startCommand.request.remoteStartId };
    for (const event of [
      txEvent('Started', 0, { at: t0, beginWh: 1_000, chargingState: 'Charging', ...tx }),
      txEvent('Updated', 1, { at: new Date(t0.getTime() + 600_000), wh: 6_000, ...tx }),
    ]) {
      const ack = await api.request('POST', `/v1/chargers/${chargerCode}/transaction-events`, {
        token,
        body: event,
      });
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    }
    const ip = loopbackAddress();
    expect(
      (await api.request('GET', `/v1/public-charging/sessions/${tenant.sessionToken}`, { sourceIp: ip }))
        .status,
    ).toBe(200);
    expect(
      (
        await api.request('POST', `/v1/public-charging/sessions/${tenant.sessionToken}/stop`, {
          sourceIp: ip,
        })
      ).status,
    ).toBe(200);
    const ended = await api.request('POST', `/v1/chargers/${chargerCode}/transaction-events`, {
      token,
      body: txEvent('Ended', 2, {
        at: new Date(t0.getTime() + 1_200_000),
        endWh: 9_000,
        stoppedReason: 'Remote',
        triggerReason: 'RemoteStop',
        transactionId: tx.transactionId,
      }),
    });
    expect(ended.body.session?.status, JSON.stringify(ended.body)).toBe('captured');

    // A second session on the other connector, left in created and cancelled; a third expired by the sweeper.
    const second = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: loopbackAddress(),
      body: { code: chargerCode, connector_id: 2 },
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    await api.request('POST', `/v1/public-charging/sessions/${second.body.token}/cancel`, { sourceIp: ip });
    const third = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: loopbackAddress(),
      body: { code: chargerCode, connector_id: 2 },
    });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
    const report = await running.run('public-charging-sweeper', () =>
      sweepDueSessions(new Date(now + 11 * 60_000)),
    );
    expect(JSON.stringify(report)).toMatch(/\d/);

    // The real-time worker, as its Lambda runs it per message: each entity the ingests above touched.
    const { runLive } = await import('../../shared/pipeline/live-worker.js');
    for (const entityId of [evId, cpId]) {
      const outcome = await running.run('live-worker', () =>
        runLive({ tenantId: tenant.tenantId, entityId }, `live-${entityId}`, {
          clock: () => new Date(now),
          log: quietLog,
        }),
      );
      expect(outcome.status, outcome.error).not.toBe('failed');
    }

    // The daily job, as `npm run aggregate` runs it: the planner pages the capture index, the worker
    // computes and stores each entity's sessions and rollups.
    const { loadWorkerHandler, runAggregation } = await import('../../infra/local/aggregate.js');
    const worker = await loadWorkerHandler();
    const attributed = Object.assign(
      (event: Parameters<typeof worker>[0]) => running.run('worker', () => worker(event)),
      {
        handleBatch: (event: Parameters<typeof worker>[0]) =>
          running.run('worker', () => worker.handleBatch(event)),
      },
    );
    const summary = await running.run('planner', () =>
      runAggregation({ worker: attributed, asOf: new Date(now), concurrency: 2 }),
    );
    expect(summary.deadLetters).toEqual([]);

    // Clean-up routes: a location, the charger, the EV with its whole history.
    await api.request('DELETE', `/v1/locations/${tenant.locationId}`, { token });
    await api.request('DELETE', `/v1/chargers/${chargerCode}`, { token });
    const deleted = await api.request('DELETE', `/v1/entities/${evId}`, { token });
    expect([202, 204]).toContain(deleted.status);

    // Every function with a table grant took part.
    expect([...new Set(calls.map((c) => c.fn))].sort()).toEqual(
      Object.keys(CATALOG)
        .filter((name) => CATALOG[name]!.table)
        .sort(),
    );
    const refused = calls.flatMap((call) => {
      const table = CATALOG[call.fn]!.table;
      const problems: string[] = [];
      if (!table) return [`${call.fn} has no table grant but called ${call.action}`];
      if (!table.actions.includes(call.action as never)) problems.push(`action ${call.action} not granted`);
      if (call.index && !table.indexes?.includes(call.index as never))
        problems.push(`index ${call.index} not granted`);
      if (!call.index && table.indexesOnly) problems.push('the table itself is not granted');
      const patterns = keyPatterns(READS.has(call.action) ? table.reads : (table.writes ?? []));
      for (const key of call.partitionKeys)
        if (!patterns.some((pattern) => matchesKeyPattern(pattern, key)))
          problems.push(`key ${key} outside ${patterns.join(' ')}`);
      return problems.map(
        (problem) => `${call.fn} ${call.action}${call.index ? ` on ${call.index}` : ''}: ${problem}`,
      );
    });
    expect([...new Set(refused)]).toEqual([]);
    expect(calls.length).toBeGreaterThan(50);
  });
});
